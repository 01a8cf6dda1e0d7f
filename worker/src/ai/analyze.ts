import { callProvider, unreadableAnswer } from "../providers";
import { isObject } from "../providers/types";
import { ok } from "../result";
import { defineAction, expectJson, quoted } from "./action";
import { isoDate } from "./notes";
import { normalizeDueDate, normalizePriority, normalizeTags, normalizeTitle, normalizeType, type NoteType, type Priority } from "./normalize";
import { LIMITS, requiredText } from "./validate";

export interface AnalysisResult {
  title: string;
  tags: string[];
  type: NoteType;
  dueDate?: string;
  priority?: Priority;
}

const system = (today: string): string =>
  [
    "You classify one personal note. Classify it as NOTE, TASK or IDEA.",
    "Write a short, punchy title (at most 5 words) and up to 3 relevant tags.",
    `Today's date is ${today}. If a due date is mentioned or implied, give it as YYYY-MM-DD ("due tomorrow" → tomorrow's date), else null.`,
    'If a priority is implied, give "urgent" (urgent, critical, ASAP), "normal" or "low" (someday, maybe), else null.',
    'Respond with JSON only: {"title": string, "tags": string[], "type": "NOTE"|"TASK"|"IDEA", "dueDate": string|null, "priority": string|null}.',
  ].join("\n");

/** Shapes a model answer into the client's analysis result; anything but an object → 502. */
export function shapeAnalysis(value: unknown): AnalysisResult {
  const item = Array.isArray(value) ? value[0] : value;
  if (!isObject(item)) throw unreadableAnswer("analysis is not an object");
  const dueDate = normalizeDueDate(item.dueDate);
  const priority = normalizePriority(item.priority);
  return {
    title: normalizeTitle(item.title),
    tags: normalizeTags(item.tags),
    type: normalizeType(item.type),
    ...(dueDate ? { dueDate } : {}),
    ...(priority ? { priority } : {}),
  };
}

export const analyzeAction = defineAction(
  (body) => {
    const content = requiredText(body, "content", LIMITS.contentChars);
    return content.ok ? ok({ content: content.value }) : content;
  },
  async (ctx, credential, input) => {
    const text = await callProvider(ctx, credential, {
      system: system(isoDate(ctx.deps.now())),
      parts: [{ text: quoted("note", input.content) }],
      temperature: 0.2,
      json: true,
    });
    return { result: shapeAnalysis(expectJson(text)) };
  },
);
