import { badRequest } from "../errors";
import { callProvider } from "../providers";
import { err, ok, type Result } from "../result";
import { defineAction } from "./action";
import { LIMITS, requiredText } from "./validate";

export interface TranscribeInput {
  audioBase64: string;
  mimeType: string;
  language?: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const DATA_URL_PREFIX = /^data:[^,;]*(;[^,;]*)*;base64,/i;
const AUDIO_TYPE = /^audio\/[a-z0-9][a-z0-9.+-]*$/i;
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

export function parseTranscribeInput(body: Record<string, unknown>): Result<TranscribeInput, string> {
  const rawAudio = requiredText(body, "audioBase64", LIMITS.audioBase64Chars + 64);
  if (!rawAudio.ok) return rawAudio;
  const audioBase64 = rawAudio.value.trim().replace(DATA_URL_PREFIX, "");
  if (audioBase64.length > LIMITS.audioBase64Chars) return err(`audioBase64 must be at most ${LIMITS.audioBase64Chars} characters.`);
  if (audioBase64.length % 4 !== 0 || !BASE64.test(audioBase64)) return err("audioBase64 must be valid base64.");
  // Recorders report e.g. "audio/webm;codecs=opus"; the provider wants the bare media type.
  const mimeType = typeof body.mimeType === "string" ? body.mimeType.split(";")[0]!.trim().toLowerCase() : "";
  if (!AUDIO_TYPE.test(mimeType)) return err("mimeType must be an audio/* media type.");
  const language = body.language;
  if (language === undefined || language === null || language === "") return ok({ audioBase64, mimeType });
  if (typeof language !== "string" || language.length > LIMITS.languageChars || !LANGUAGE_TAG.test(language)) {
    return err("language must be a language tag such as 'en' or 'pt-BR'.");
  }
  return ok({ audioBase64, mimeType, language });
}

export const transcribeAction = defineAction(parseTranscribeInput, async (ctx, credential, input) => {
  if (credential.provider !== "gemini") {
    throw badRequest("Transcription needs a Gemini key. Connect a Gemini key to transcribe audio.");
  }
  const instruction = input.language
    ? `Transcribe this audio verbatim. The speaker's language is ${input.language}.`
    : "Transcribe this audio verbatim in the language spoken.";
  const text = await callProvider(ctx, credential, {
    system: "You are a transcription engine. Output only the transcript text, with no commentary or formatting.",
    parts: [{ text: instruction }, { inlineData: { mimeType: input.mimeType, data: input.audioBase64 } }],
    temperature: 0,
  });
  return { result: text.trim() };
});
