/**
 * Gemini's `generateContent` wire format, written once: success and error bodies and how a request
 * carries its prompt. Pure (no Node imports), so the Node fake, the explorer's in-process fake, the
 * Worker's unit helpers and the conformance fakes (which also run inside workerd) share it.
 */

const STATUS_NAMES: Record<number, [string, string]> = {
  400: ["INVALID_ARGUMENT", "Request contains an invalid argument."],
  403: ["PERMISSION_DENIED", "The caller does not have permission."],
  404: ["NOT_FOUND", "Requested entity was not found."],
  429: ["RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."],
  500: ["INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"],
  503: ["UNAVAILABLE", "The model is overloaded. Please try again later."],
  504: ["DEADLINE_EXCEEDED", "The request timed out. Please try again."],
};

/** Google's error envelope: {error:{code,message,status}}. */
export function geminiError(status: number): Record<string, unknown> {
  const [name, message] = STATUS_NAMES[status] ?? (status >= 500 ? STATUS_NAMES[503]! : STATUS_NAMES[400]!);
  return { error: { code: status, message, status: name } };
}

/** What Gemini answers for a key it does not know: 400 with reason API_KEY_INVALID. */
export const GEMINI_INVALID_KEY_BODY = {
  error: {
    code: 400,
    message: "API key not valid. Please pass a valid API key.",
    status: "INVALID_ARGUMENT",
    details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com" }],
  },
};

/** A successful answer carrying `text`; `usage` adds the token counts and model version a real reply has. */
export function geminiReply(text: string, usage?: { promptChars: number; model: string }): Record<string, unknown> {
  const candidates = [{ content: { parts: [{ text }], role: "model" }, finishReason: "STOP", index: 0 }];
  if (!usage) return { candidates };
  const promptTokenCount = Math.ceil(usage.promptChars / 4);
  return { candidates, usageMetadata: { promptTokenCount, candidatesTokenCount: 8, totalTokenCount: promptTokenCount + 8 }, modelVersion: usage.model };
}

interface GeminiPart {
  text?: string;
  inlineData?: { mimeType?: string; data?: string };
}

/** The prompt text of a request body (system instruction first) and whether it carries audio. */
export function readGeminiPrompt(body: unknown): { prompt: string; hasAudio: boolean } {
  const contents = (body as { contents?: { parts?: GeminiPart[] }[] } | null)?.contents ?? [];
  const system = (body as { systemInstruction?: { parts?: GeminiPart[] } } | null)?.systemInstruction?.parts ?? [];
  const parts = [...system, ...contents.flatMap((content) => content.parts ?? [])];
  return {
    prompt: parts.map((part) => part.text ?? "").join("\n"),
    hasAudio: parts.some((part) => part.inlineData?.mimeType?.startsWith("audio/") === true),
  };
}
