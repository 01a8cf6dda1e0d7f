import { answerFor, detectIntent, hashKey, isInvalidKey, keyRefusal } from "./ai-answers";
import { jsonResponse, readJsonBody } from "./json";
import { openrouterError, openrouterReply, readOpenrouterPrompt } from "./openrouter-wire";
import type { FakeService } from "./service";

export { openrouterError } from "./openrouter-wire";

const ROUTE = "/api/v1/chat/completions";

/** Fake OpenRouter chat completions (Bearer key), real success and error bodies. */
export const openrouterService: FakeService = {
  name: "openrouter",
  errorBody: openrouterError,
  async handle(request, { shaping, event }) {
    if (request.method !== "POST" || new URL(request.url).pathname !== ROUTE) return jsonResponse(request, 404, openrouterError(404), shaping);
    const auth = request.headers.get("authorization") ?? "";
    const key = auth.startsWith("Bearer ") ? auth.slice("Bearer ".length).trim() : "";
    if (key !== "") event.keyHash = hashKey(key);
    if (isInvalidKey(key)) return jsonResponse(request, 401, openrouterError(401), shaping);
    const body = (await readJsonBody(request)) as { model?: string } | null;
    const intent = detectIntent(readOpenrouterPrompt(body), false);
    event.intent = intent;
    const refusal = keyRefusal(key, intent, "openrouter");
    if (refusal !== null) return jsonResponse(request, refusal, openrouterError(refusal), shaping);
    return jsonResponse(request, 200, openrouterReply(answerFor(intent), { id: `gen-lab-${event.seq}`, ...(body?.model ? { model: body.model } : {}) }), shaping);
  },
};
