import { err, ok, type Result } from "../result";
import { isObject } from "../providers/types";
import { LIMITS } from "./validate";

/** A PocketBrain note as the client sends it, reduced to what the prompts use. */
export interface NoteInput {
  id?: string;
  title?: string;
  content: string;
  type?: string;
  priority?: string;
  dueDateMs?: number;
  createdAtMs?: number;
  isCompleted: boolean;
  isArchived: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The client stores times as epoch ms; ISO strings are accepted too. Anything else is ignored. */
export function toEpochMs(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const text = value.trim();
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : Date.parse(text);
  return Number.isFinite(parsed) ? parsed : undefined;
}

const shortString = (value: unknown, max: number): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value.trim().slice(0, max) : undefined;

/**
 * Validates `notes`; only the first `max` are used (the PocketBrain client sends every note it has,
 * so refusing a long list would break search for heavy users). Optional fields of the wrong type
 * are ignored.
 */
export function parseNotes(value: unknown, max: number): Result<NoteInput[], string> {
  if (value === undefined || value === null) return ok([]);
  if (!Array.isArray(value)) return err("notes must be an array.");
  const notes: NoteInput[] = [];
  for (const [index, raw] of value.slice(0, max).entries()) {
    if (!isObject(raw)) return err(`notes[${index}] must be an object.`);
    if (typeof raw.content !== "string") return err(`notes[${index}].content must be a string.`);
    if (raw.content.length > LIMITS.noteContentChars) return err(`notes[${index}].content must be at most ${LIMITS.noteContentChars} characters.`);
    if (typeof raw.title === "string" && raw.title.length > LIMITS.noteTitleChars) {
      return err(`notes[${index}].title must be at most ${LIMITS.noteTitleChars} characters.`);
    }
    const id = typeof raw.id === "number" ? String(raw.id) : shortString(raw.id, 100);
    const note: NoteInput = { content: raw.content, isCompleted: raw.isCompleted === true, isArchived: raw.isArchived === true };
    const title = shortString(raw.title, LIMITS.noteTitleChars);
    const type = shortString(raw.type, 20)?.toUpperCase();
    const priority = shortString(raw.priority, 20);
    const dueDateMs = toEpochMs(raw.dueDate);
    const createdAtMs = toEpochMs(raw.createdAt);
    notes.push({
      ...note,
      ...(id !== undefined ? { id } : {}),
      ...(title !== undefined ? { title } : {}),
      ...(type !== undefined ? { type } : {}),
      ...(priority !== undefined ? { priority } : {}),
      ...(dueDateMs !== undefined ? { dueDateMs } : {}),
      ...(createdAtMs !== undefined ? { createdAtMs } : {}),
    });
  }
  return ok(notes);
}

export interface BriefSelection {
  overdue: NoteInput[];
  dueToday: NoteInput[];
  capturedToday: NoteInput[];
}

export const startOfUtcDay = (nowMs: number): number => Math.floor(nowMs / DAY_MS) * DAY_MS;

/**
 * What a daily brief is about, by the client's own rules: open tasks overdue or due today, and notes
 * captured today; archived notes never count. "Today" is the UTC day of `nowMs`.
 */
export function selectBriefNotes(notes: NoteInput[], nowMs: number): BriefSelection {
  const start = startOfUtcDay(nowMs);
  const end = start + DAY_MS;
  const active = notes.filter((note) => !note.isArchived);
  const open = active.filter((note) => !note.isCompleted && note.dueDateMs !== undefined);
  return {
    overdue: open.filter((note) => note.dueDateMs! < start),
    dueToday: open.filter((note) => note.dueDateMs! >= start && note.dueDateMs! < end),
    capturedToday: active.filter((note) => note.createdAtMs !== undefined && note.createdAtMs >= start && note.createdAtMs < end),
  };
}

export const isEmptySelection = (selection: BriefSelection): boolean =>
  selection.overdue.length + selection.dueToday.length + selection.capturedToday.length === 0;

export const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** One line per note for the brief: title, type, due date, priority, status. */
export function briefLine(note: NoteInput): string {
  const parts = [`Title: ${note.title ?? "Untitled"}`, `Type: ${note.type ?? "NOTE"}`];
  if (note.dueDateMs !== undefined) parts.push(`Due: ${isoDate(note.dueDateMs)}`);
  if (note.priority) parts.push(`Priority: ${note.priority}`);
  if (note.isCompleted) parts.push("Status: completed");
  return parts.join(" | ");
}

/** A note as search context: id, type, status, capture date, then the text. */
export function searchEntry(note: NoteInput): string {
  const header = [
    note.id !== undefined ? `[ID: ${note.id}]` : undefined,
    `[${note.type ?? "NOTE"}]`,
    `[${note.isCompleted ? "DONE" : "OPEN"}]`,
    note.createdAtMs !== undefined ? `(${isoDate(note.createdAtMs)})` : undefined,
    note.title ? `${note.title}:` : undefined,
  ].filter((part) => part !== undefined);
  return `${header.join(" ")} ${note.content}`;
}
