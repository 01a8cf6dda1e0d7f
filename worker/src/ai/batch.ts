import { callProvider } from "../providers";
import { isObject } from "../providers/types";
import { ok } from "../result";
import { defineAction, expectJson, quoted } from "./action";
import { batchHints, hintLines, MAX_BATCH_ITEMS, type BatchHints } from "./batch-hints";
import { normalizeTags, normalizeTitle, normalizeType, type NoteType } from "./normalize";
import { LIMITS, requiredText } from "./validate";

export interface BatchItem {
  content: string;
  title: string;
  tags: string[];
  type: NoteType;
}

const SYSTEM_LINES = [
  'You are an expert organizer. The user gives a "brain dump" of text.',
  `Split it into distinct, atomic items (tasks, ideas or notes), at most ${MAX_BATCH_ITEMS}, or generate them when asked. For each item give:`,
  "content (the item's own text), title (at most 5 words), tags (up to 3), type (NOTE, TASK or IDEA).",
  'Respond with a JSON array only: [{"content": string, "title": string, "tags": string[], "type": string}].',
];

const nonEmpty = (value: unknown): string | null => (typeof value === "string" && value.trim() !== "" ? value.trim() : null);

/**
 * The original worker's output shaping: the list is the answer itself or its `items`/`results`
 * (else no items); at most 25; an item without text stands for the whole input; a single requested
 * type is forced on every item; a requested count truncates (never pads).
 */
export function shapeBatch(value: unknown, input: string, hints: BatchHints = { generation: false, count: null, type: null }): BatchItem[] {
  const list = Array.isArray(value) ? value : isObject(value) ? (Array.isArray(value.items) ? value.items : value.results) : undefined;
  if (!Array.isArray(list)) return [];
  const forcedType = hints.generation ? hints.type : null;
  const items = list.slice(0, MAX_BATCH_ITEMS).map((raw): BatchItem => {
    const entry = isObject(raw) ? raw : {};
    return {
      content: nonEmpty(entry.content) ?? input,
      title: normalizeTitle(entry.title),
      tags: normalizeTags(entry.tags),
      type: forcedType ?? normalizeType(entry.type),
    };
  });
  return hints.count !== null ? items.slice(0, hints.count) : items;
}

export const batchAction = defineAction(
  (body) => {
    const content = requiredText(body, "content", LIMITS.contentChars);
    return content.ok ? ok({ content: content.value.trim() }) : content;
  },
  async (ctx, credential, input) => {
    const hints = batchHints(input.content);
    const text = await callProvider(ctx, credential, {
      system: [...SYSTEM_LINES, ...hintLines(hints)].join("\n"),
      parts: [{ text: quoted("brain-dump", input.content) }],
      temperature: 0.2,
      json: true,
    });
    return { results: shapeBatch(expectJson(text), input.content, hints) };
  },
);
