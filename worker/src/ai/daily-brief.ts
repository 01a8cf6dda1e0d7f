import { callProvider } from "../providers";
import { ok } from "../result";
import { defineAction, quoted } from "./action";
import { briefLine, isEmptySelection, isoDate, parseNotes, selectBriefNotes, type BriefSelection, type NoteInput } from "./notes";
import { LIMITS } from "./validate";

const SYSTEM = [
  "You are a personal productivity assistant. Write a brief 2-3 sentence daily briefing from these notes and tasks.",
  "Mention overdue tasks first, then today's priorities, then notable new captures.",
  "Be concise and actionable. Speak directly to the user.",
].join("\n");

function section(label: string, notes: NoteInput[]): string | null {
  return notes.length > 0 ? `${label} (${notes.length}):\n${notes.map(briefLine).join("\n")}` : null;
}

export function briefContext(selection: BriefSelection): string {
  return [
    section("OVERDUE", selection.overdue),
    section("DUE TODAY", selection.dueToday),
    section("CAPTURED TODAY", selection.capturedToday),
  ]
    .filter((part): part is string => part !== null)
    .join("\n\n");
}

/** `{result: null}` without any provider call when nothing is due, overdue or captured today. */
export const dailyBriefAction = defineAction(
  (body) => {
    const notes = parseNotes(body.notes, LIMITS.briefNotes);
    return notes.ok ? ok({ notes: notes.value }) : notes;
  },
  async (ctx, credential, input) => {
    const now = ctx.deps.now();
    const selection = selectBriefNotes(input.notes, now);
    if (isEmptySelection(selection)) return { result: null };
    const text = await callProvider(ctx, credential, {
      system: `${SYSTEM}\nToday is ${isoDate(now)}.`,
      parts: [{ text: quoted("notes", briefContext(selection)) }],
      temperature: 0.5,
    });
    return { result: text.trim() };
  },
);
