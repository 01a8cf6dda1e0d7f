import { callProvider } from "../providers";
import { ok } from "../result";
import { defineAction, quoted } from "./action";
import { parseNotes, searchEntry } from "./notes";
import { LIMITS, requiredText } from "./validate";

const SYSTEM = [
  "You are a helpful personal assistant answering a question about the user's own notes.",
  "Answer based ONLY on the notes provided.",
  `If the answer isn't in the notes, say "I couldn't find that in your notes."`,
  "Be concise and friendly.",
].join("\n");

export const searchAction = defineAction(
  (body) => {
    const query = requiredText(body, "query", LIMITS.queryChars);
    if (!query.ok) return query;
    const notes = parseNotes(body.notes, LIMITS.searchNotes);
    return notes.ok ? ok({ query: query.value, notes: notes.value }) : notes;
  },
  async (ctx, credential, input) => {
    const context = input.notes.length > 0 ? input.notes.map(searchEntry).join("\n---\n") : "(no notes)";
    const text = await callProvider(ctx, credential, {
      system: SYSTEM,
      parts: [{ text: `${quoted("question", input.query)}\n\n${quoted("notes", context)}` }],
      temperature: 0.3,
    });
    return { result: text.trim() };
  },
);
