import type { FakeService } from "../server";
import { answerFor, detectIntent, hashKey, isInvalidKey, keyRefusal } from "./ai-answers";
import { parseJsonBody, sendJson } from "./json";

const ROUTE = "/api/v1/chat/completions";

const MESSAGES: Record<number, string> = {
  400: "Invalid request",
  401: "No auth credentials found",
  402: "Insufficient credits",
  404: "Not found",
  429: "Rate limit exceeded: too many requests",
  500: "Internal Server Error",
  502: "Provider returned error",
  503: "No available model provider that meets your routing requirements",
  504: "Upstream timed out",
};

/** OpenRouter's error envelope: {error:{code,message}}. */
export function openrouterError(status: number): unknown {
  return { error: { code: status, message: MESSAGES[status] ?? (status >= 500 ? MESSAGES[502] : MESSAGES[400]) } };
}

type Content = string | { type?: string; text?: string }[];

function readPrompt(body: unknown): string {
  const messages = (body as { messages?: { content?: Content }[] } | null)?.messages ?? [];
  return messages
    .map((message) => (typeof message.content === "string" ? message.content : (message.content ?? []).map((part) => part.text ?? "").join("\n")))
    .join("\n");
}

/** Fake OpenRouter chat completions (Bearer key), real success and error bodies. */
export const openrouterService: FakeService = {
  name: "openrouter",
  errorBody: openrouterError,
  async handle(request, res, shaping) {
    if (request.method !== "POST" || request.path !== ROUTE) return sendJson(request, res, 404, openrouterError(404), shaping);
    const auth = request.headers.authorization ?? "";
    const key = auth.startsWith("Bearer ") ? auth.slice("Bearer ".length).trim() : "";
    if (key !== "") request.event.keyHash = hashKey(key);
    if (isInvalidKey(key)) return sendJson(request, res, 401, openrouterError(401), shaping);
    const body = parseJsonBody(request) as { model?: string } | null;
    const intent = detectIntent(readPrompt(body), false);
    request.event.intent = intent;
    const refusal = keyRefusal(key, intent, "openrouter");
    if (refusal !== null) return sendJson(request, res, refusal, openrouterError(refusal), shaping);
    return sendJson(
      request,
      res,
      200,
      {
        id: `gen-lab-${request.event.seq}`,
        object: "chat.completion",
        created: 1_700_000_000,
        model: body?.model ?? "google/gemini-2.5-flash",
        choices: [{ index: 0, message: { role: "assistant", content: answerFor(intent) }, finish_reason: "stop" }],
        usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 },
      },
      shaping,
    );
  },
};
