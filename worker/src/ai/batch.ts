import { callProvider, unreadableAnswer } from "../providers";
import { isObject } from "../providers/types";
import { ok } from "../result";
import { defineAction, expectJson, quoted } from "./action";
import { normalizeTags, normalizeTitle, normalizeType, type NoteType } from "./normalize";
import { LIMITS, requiredText } from "./validate";

export interface BatchItem {
  content: string;
  title: string;
  tags: string[];
  type: NoteType;
}

const MAX_ITEMS = 50;

const SYSTEM = [
  'You are an expert organizer. The user gives a "brain dump" of text.',
  "Split it into distinct, atomic items (tasks, ideas or notes). For each item give:",
  "content (the item's own text), title (at most 5 words), tags (up to 3), type (NOTE, TASK or IDEA).",
  'Respond with a JSON array only: [{"content": string, "title": string, "tags": string[], "type": string}].',
].join("\n");

/** Accepts an array, or an object wrapping one (items/results); keeps items that have content. */
export function shapeBatch(value: unknown): BatchItem[] {
  const list = Array.isArray(value) ? value : isObject(value) ? (value.items ?? value.results ?? value.notes) : undefined;
  if (!Array.isArray(list)) throw unreadableAnswer("batch answer is not a list");
  const items: BatchItem[] = [];
  for (const entry of list) {
    if (!isObject(entry) || typeof entry.content !== "string" || entry.content.trim() === "") continue;
    const content = entry.content.trim();
    items.push({ content, title: normalizeTitle(entry.title), tags: normalizeTags(entry.tags), type: normalizeType(entry.type) });
    if (items.length === MAX_ITEMS) break;
  }
  if (items.length === 0 && list.length > 0) throw unreadableAnswer("batch answer has no usable items");
  return items;
}

export const batchAction = defineAction(
  (body) => {
    const content = requiredText(body, "content", LIMITS.contentChars);
    return content.ok ? ok({ content: content.value }) : content;
  },
  async (ctx, credential, input) => {
    const text = await callProvider(ctx, credential, {
      system: SYSTEM,
      parts: [{ text: quoted("brain-dump", input.content) }],
      temperature: 0.2,
      json: true,
    });
    return { results: shapeBatch(expectJson(text)) };
  },
);
