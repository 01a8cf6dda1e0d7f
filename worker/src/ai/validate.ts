import { err, ok, type Result } from "../result";

/** Input bounds of the AI actions (docs/api.md#routes). The 128 KiB body cap sits on top of these. */
export const LIMITS = {
  contentChars: 6000,
  queryChars: 400,
  searchNotes: 40,
  briefNotes: 60,
  noteContentChars: 6000,
  noteTitleChars: 300,
  /** Base64 of ~67 KiB of audio: leaves room for the JSON envelope inside the 128 KiB body cap. */
  audioBase64Chars: 90 * 1024,
  languageChars: 35,
} as const;

/** A field that must be a non-empty string of at most `max` characters. */
export function requiredText(body: Record<string, unknown>, field: string, max: number): Result<string, string> {
  const value = body[field];
  if (typeof value !== "string" || value.trim() === "") return err(`${field} is required and must be a non-empty string.`);
  if (value.length > max) return err(`${field} must be at most ${max} characters.`);
  return ok(value);
}

/** An optional field restricted to `allowed`; absent or null means `fallback`. */
export function optionalChoice<T extends string>(body: Record<string, unknown>, field: string, allowed: readonly T[], fallback: T): Result<T, string> {
  const value = body[field];
  if (value === undefined || value === null) return ok(fallback);
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return ok(value as T);
  return err(`${field} must be one of ${allowed.map((choice) => `'${choice}'`).join(", ")}.`);
}
