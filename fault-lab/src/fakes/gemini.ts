import { answerFor, detectIntent, hashKey, isInvalidKey, keyRefusal } from "./ai-answers";
import { GEMINI_INVALID_KEY_BODY, geminiError, geminiReply, readGeminiPrompt } from "./gemini-wire";
import { jsonResponse, readJsonBody } from "./json";
import type { FakeService } from "./service";

export { geminiError } from "./gemini-wire";

const ROUTE = /^\/v1beta\/models\/([^/:]+):generateContent$/;

/** Fake Gemini `generateContent` (key in `x-goog-api-key`), real success and error bodies. */
export const geminiService: FakeService = {
  name: "gemini",
  errorBody: geminiError,
  async handle(request, { shaping, event }) {
    const match = ROUTE.exec(new URL(request.url).pathname);
    if (request.method !== "POST" || !match) return jsonResponse(request, 404, geminiError(404), shaping);
    const key = request.headers.get("x-goog-api-key") ?? "";
    if (key !== "") event.keyHash = hashKey(key);
    if (isInvalidKey(key)) return jsonResponse(request, 400, GEMINI_INVALID_KEY_BODY, shaping);
    const { prompt, hasAudio } = readGeminiPrompt(await readJsonBody(request));
    const intent = detectIntent(prompt, hasAudio);
    event.intent = intent;
    const refusal = keyRefusal(key, intent, "gemini");
    if (refusal !== null) return jsonResponse(request, refusal, geminiError(refusal), shaping);
    return jsonResponse(request, 200, geminiReply(answerFor(intent), { promptChars: prompt.length, model: match[1]! }), shaping);
  },
};
