import type { FakeService } from "../server";
import { answerFor, detectIntent, hashKey, isInvalidKey, keyRefusal } from "./ai-answers";
import { GEMINI_INVALID_KEY_BODY, geminiError, geminiReply, readGeminiPrompt } from "./gemini-wire";
import { parseJsonBody, sendJson } from "./json";

export { geminiError } from "./gemini-wire";

const ROUTE = /^\/v1beta\/models\/([^/:]+):generateContent$/;

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
    if (isInvalidKey(key)) return sendJson(request, res, 400, GEMINI_INVALID_KEY_BODY, shaping);
    const { prompt, hasAudio } = readGeminiPrompt(parseJsonBody(request));
    const intent = detectIntent(prompt, hasAudio);
    request.event.intent = intent;
    const refusal = keyRefusal(key, intent, "gemini");
    if (refusal !== null) return sendJson(request, res, refusal, geminiError(refusal), shaping);
    return sendJson(request, res, 200, geminiReply(answerFor(intent), { promptChars: prompt.length, model: match[1]! }), shaping);
  },
};
