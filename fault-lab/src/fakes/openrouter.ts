import type { FakeService } from "../server";
import { answerFor, detectIntent, hashKey, isInvalidKey, keyRefusal } from "./ai-answers";
import { parseJsonBody, sendJson } from "./json";
import { openrouterError, openrouterReply, readOpenrouterPrompt } from "./openrouter-wire";

export { openrouterError } from "./openrouter-wire";

const ROUTE = "/api/v1/chat/completions";

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
    const intent = detectIntent(readOpenrouterPrompt(body), false);
    request.event.intent = intent;
    const refusal = keyRefusal(key, intent, "openrouter");
    if (refusal !== null) return sendJson(request, res, refusal, openrouterError(refusal), shaping);
    return sendJson(request, res, 200, openrouterReply(answerFor(intent), { id: `gen-lab-${request.event.seq}`, ...(body?.model ? { model: body.model } : {}) }), shaping);
  },
};
