/** Normalisers for model output, so the client always gets the shapes of docs/api.md#routes. Pure. */
export const NOTE_TYPES = ["NOTE", "TASK", "IDEA"] as const;
export type NoteType = (typeof NOTE_TYPES)[number];

/** PocketBrain's priorities (`Note.priority` in the client): urgent | normal | low. */
export const PRIORITIES = ["urgent", "normal", "low"] as const;
export type Priority = (typeof PRIORITIES)[number];

export const MAX_TAGS = 3;
const MAX_TAG_CHARS = 40;
const MAX_TITLE_CHARS = 100;
export const FALLBACK_TITLE = "Quick Note";

export function normalizeType(value: unknown): NoteType {
  const upper = typeof value === "string" ? value.trim().toUpperCase() : "";
  return (NOTE_TYPES as readonly string[]).includes(upper) ? (upper as NoteType) : "NOTE";
}

/** Trimmed, '#'-less, de-duplicated (case-insensitively), at most three. */
export function normalizeTags(value: unknown): string[] {
  const raw = Array.isArray(value) ? value : typeof value === "string" ? value.split(",") : [];
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const item of raw) {
    if (typeof item !== "string") continue;
    const tag = item.trim().replace(/^#+/, "").trim().slice(0, MAX_TAG_CHARS);
    if (tag === "" || seen.has(tag.toLowerCase())) continue;
    seen.add(tag.toLowerCase());
    tags.push(tag);
    if (tags.length === MAX_TAGS) break;
  }
  return tags;
}

export function normalizeTitle(value: unknown, fallback = FALLBACK_TITLE): string {
  const title = typeof value === "string" ? value.replace(/\s+/g, " ").trim().slice(0, MAX_TITLE_CHARS) : "";
  return title === "" ? fallback : title;
}

/** An ISO calendar date (YYYY-MM-DD) that exists; a full ISO timestamp is cut to its date. */
export function normalizeDueDate(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(value.trim());
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const exists = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return exists ? `${match[1]}-${match[2]}-${match[3]}` : undefined;
}

const PRIORITY_ALIASES: Record<string, Priority> = {
  urgent: "urgent",
  high: "urgent",
  critical: "urgent",
  normal: "normal",
  medium: "normal",
  low: "low",
};

/** Client priorities; the common high/medium wording of models is mapped onto them. */
export function normalizePriority(value: unknown): Priority | undefined {
  return typeof value === "string" ? PRIORITY_ALIASES[value.trim().toLowerCase()] : undefined;
}
