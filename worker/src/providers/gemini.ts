import { err, ok } from "../result";
import { isObject, type ProviderAdapter } from "./types";

/** docs/api.md#ai-providers: the model is fixed for Gemini; DEFAULT_MODEL applies to OpenRouter only. */
export const GEMINI_MODEL = "gemini-2.5-flash";

/** Gemini generateContent (v1beta). The key travels in `x-goog-api-key`, never in the URL. */
export const geminiAdapter: ProviderAdapter = {
  name: "gemini",

  buildRequest(config, apiKey, request) {
    const body = {
      contents: [{ role: "user", parts: request.parts }],
      ...(request.system ? { systemInstruction: { parts: [{ text: request.system }] } } : {}),
      generationConfig: {
        temperature: request.temperature,
        ...(request.json ? { responseMimeType: "application/json" } : {}),
      },
    };
    return {
      url: `${config.geminiApiBase}/v1beta/models/${GEMINI_MODEL}:generateContent`,
      init: {
        method: "POST",
        headers: { "content-type": "application/json", "x-goog-api-key": apiKey },
        body: JSON.stringify(body),
      },
    };
  },

  extractText(body) {
    const candidate = isObject(body) && Array.isArray(body.candidates) ? body.candidates[0] : undefined;
    const parts = isObject(candidate) && isObject(candidate.content) ? candidate.content.parts : undefined;
    if (!Array.isArray(parts)) return err("no candidate content");
    // Thinking models may return thought parts; only the answer parts are the reply.
    const text = parts
      .filter((part): part is { text: string } => isObject(part) && typeof part.text === "string" && part.thought !== true)
      .map((part) => part.text)
      .join("");
    return text.trim() === "" ? err("empty candidate text") : ok(text);
  },

  isKeyRejected(status, body) {
    if (status === 401 || status === 403) return true;
    return status === 400 && errorReasons(body).includes("API_KEY_INVALID");
  },

  retryAfterFromBody(body) {
    for (const detail of errorDetails(body)) {
      const delay = detail.retryDelay;
      if (typeof delay === "string" && /^\d+(\.\d+)?s$/.test(delay)) return Math.ceil(Number(delay.slice(0, -1)));
    }
    return null;
  },
};

function errorDetails(body: unknown): Record<string, unknown>[] {
  const details = isObject(body) && isObject(body.error) ? body.error.details : undefined;
  return Array.isArray(details) ? details.filter(isObject) : [];
}

function errorReasons(body: unknown): string[] {
  return errorDetails(body)
    .map((detail) => detail.reason)
    .filter((reason): reason is string => typeof reason === "string");
}
