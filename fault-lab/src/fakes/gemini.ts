import type { FakeService } from "../server";
import { answerFor, detectIntent, hashKey, isInvalidKey, keyRefusal } from "./ai-answers";
import { parseJsonBody, sendJson } from "./json";

const ROUTE = /^\/v1beta\/models\/([^/:]+):generateContent$/;

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
export function geminiError(status: number): unknown {
  const [name, message] = STATUS_NAMES[status] ?? (status >= 500 ? STATUS_NAMES[503]! : STATUS_NAMES[400]!);
  return { error: { code: status, message, status: name } };
}

const INVALID_KEY_BODY = {
  error: {
    code: 400,
    message: "API key not valid. Please pass a valid API key.",
    status: "INVALID_ARGUMENT",
    details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com" }],
  },
};

interface GeminiPart {
  text?: string;
  inlineData?: { mimeType?: string; data?: string };
}

function readPrompt(body: unknown): { prompt: string; hasAudio: boolean } {
  const contents = (body as { contents?: { parts?: GeminiPart[] }[] } | null)?.contents ?? [];
  const system = (body as { systemInstruction?: { parts?: GeminiPart[] } } | null)?.systemInstruction?.parts ?? [];
  const parts = [...system, ...contents.flatMap((content) => content.parts ?? [])];
  return {
    prompt: parts.map((part) => part.text ?? "").join("\n"),
    hasAudio: parts.some((part) => part.inlineData?.mimeType?.startsWith("audio/") === true),
  };
}

/** Fake Gemini `generateContent` (key in `x-goog-api-key`), real success and error bodies. */
export const geminiService: FakeService = {
  name: "gemini",
  errorBody: geminiError,
  async handle(request, res, shaping) {
    const match = ROUTE.exec(request.path);
    if (request.method !== "POST" || !match) return sendJson(request, res, 404, geminiError(404), shaping);
    const header = request.headers["x-goog-api-key"];
    const key = typeof header === "string" ? header : "";
    if (key !== "") request.event.keyHash = hashKey(key);
    if (isInvalidKey(key)) return sendJson(request, res, 400, INVALID_KEY_BODY, shaping);
    const { prompt, hasAudio } = readPrompt(parseJsonBody(request));
    const intent = detectIntent(prompt, hasAudio);
    request.event.intent = intent;
    const refusal = keyRefusal(key, intent, "gemini");
    if (refusal !== null) return sendJson(request, res, refusal, geminiError(refusal), shaping);
    return sendJson(
      request,
      res,
      200,
      {
        candidates: [{ content: { parts: [{ text: answerFor(intent) }], role: "model" }, finishReason: "STOP", index: 0 }],
        usageMetadata: { promptTokenCount: Math.ceil(prompt.length / 4), candidatesTokenCount: 8, totalTokenCount: Math.ceil(prompt.length / 4) + 8 },
        modelVersion: match[1],
      },
      shaping,
    );
  },
};
