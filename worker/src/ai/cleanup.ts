import { callProvider, unreadableAnswer } from "../providers";
import { isObject } from "../providers/types";
import { ok } from "../result";
import { defineAction, expectJson, quoted } from "./action";
import { LIMITS, optionalChoice, requiredText } from "./validate";

export const CLEANUP_MODES = ["single", "batch"] as const;
export type CleanupMode = (typeof CLEANUP_MODES)[number];

export interface CleanupResult {
  cleanedText: string;
  items?: string[];
}

const MAX_ITEMS = 50;

const SYSTEM: Record<CleanupMode, string> = {
  single: [
    "Clean up the user's captured text: fix spelling, punctuation, casing and obvious dictation slips.",
    "Keep the meaning, the language and the voice. Do not add information.",
    'Respond with JSON only: {"cleanedText": string}.',
  ].join("\n"),
  batch: [
    "Clean up the user's captured text: fix spelling, punctuation, casing and obvious dictation slips.",
    "Keep the meaning, the language and the voice. Do not add information.",
    "Also split it into its distinct items, each one cleaned and self-contained.",
    'Respond with JSON only: {"cleanedText": string, "items": string[]}.',
  ].join("\n"),
};

export function shapeCleanup(value: unknown, mode: CleanupMode): CleanupResult {
  if (!isObject(value) || typeof value.cleanedText !== "string" || value.cleanedText.trim() === "") {
    throw unreadableAnswer("cleanup answer has no cleanedText");
  }
  const cleanedText = value.cleanedText.trim();
  if (mode === "single") return { cleanedText };
  const items = Array.isArray(value.items)
    ? value.items
        .filter((item): item is string => typeof item === "string")
        .map((item) => item.trim())
        .filter((item) => item !== "")
        .slice(0, MAX_ITEMS)
    : [];
  return { cleanedText, items };
}

export const cleanupAction = defineAction(
  (body) => {
    const content = requiredText(body, "content", LIMITS.contentChars);
    if (!content.ok) return content;
    const mode = optionalChoice(body, "mode", CLEANUP_MODES, "single");
    return mode.ok ? ok({ content: content.value, mode: mode.value }) : mode;
  },
  async (ctx, credential, input) => {
    const text = await callProvider(ctx, credential, {
      system: SYSTEM[input.mode],
      parts: [{ text: quoted("text", input.content) }],
      temperature: 0.2,
      json: true,
    });
    return { result: shapeCleanup(expectJson(text), input.mode) };
  },
);
