import { err, ok } from "../result";
import { isObject, type ProviderAdapter, type ProviderPart } from "./types";

/** OpenRouter chat completions with `Authorization: Bearer`; the model is DEFAULT_MODEL. */
export const openrouterAdapter: ProviderAdapter = {
  name: "openrouter",

  buildRequest(config, apiKey, request) {
    const messages = [
      ...(request.system ? [{ role: "system", content: request.system }] : []),
      { role: "user", content: userText(request.parts) },
    ];
    return {
      url: `${config.openrouterApiBase}/api/v1/chat/completions`,
      init: {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${apiKey}`,
          "x-title": "PocketBrain",
        },
        body: JSON.stringify({ model: config.defaultModel, messages, temperature: request.temperature }),
      },
    };
  },

  extractText(body) {
    const choice = isObject(body) && Array.isArray(body.choices) ? body.choices[0] : undefined;
    const content = isObject(choice) && isObject(choice.message) ? choice.message.content : undefined;
    const text = typeof content === "string" ? content : Array.isArray(content) ? joinContentParts(content) : "";
    return text.trim() === "" ? err("no choice content") : ok(text);
  },

  isKeyRejected(status) {
    return status === 401 || status === 403;
  },

  retryAfterFromBody() {
    return null;
  },
};

/** Inline media never reaches OpenRouter: the actions refuse it before any call (transcribe → 400). */
function userText(parts: ProviderPart[]): string {
  return parts.map((part) => ("text" in part ? part.text : "")).join("\n\n");
}

function joinContentParts(parts: unknown[]): string {
  return parts
    .filter((part): part is { text: string } => isObject(part) && typeof part.text === "string")
    .map((part) => part.text)
    .join("");
}
