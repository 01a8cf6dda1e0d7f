import { createHash } from "node:crypto";

/** Which of PocketBrain's AI requests a prompt is (so the fake can answer in the expected shape). */
export type AiIntent = "validate" | "transcribe" | "cleanup" | "batch" | "analyze" | "daily-brief" | "search" | "other";

/**
 * Classifies a prompt by its wording. Order matters: "cleanup" prompts may mention batches, and the
 * key-validation ping is the only short prompt that asks for "OK".
 */
export function detectIntent(prompt: string, hasAudio: boolean): AiIntent {
  const text = prompt.toLowerCase();
  if (hasAudio || /transcri/.test(text)) return "transcribe";
  if (prompt.length < 400 && /\bok\b/i.test(prompt)) return "validate";
  if (/clean\s?up|cleanedtext|clean the|tidy/.test(text)) return "cleanup";
  if (/daily brief|daily-brief|brief for today|due today|overdue/.test(text)) return "daily-brief";
  if (/batch|split|several notes|multiple notes|separate notes|json array|array of/.test(text)) return "batch";
  if (/analy[sz]e|classif|categori[sz]e|title.*tags|"tags"/.test(text)) return "analyze";
  if (/search|question|query|answer using/.test(text)) return "search";
  return "other";
}

/** The model's reply text for an intent: JSON where the Worker parses JSON, plain text otherwise. */
export function answerFor(intent: AiIntent): string {
  switch (intent) {
    case "validate":
      return "OK";
    case "analyze":
      return JSON.stringify({ title: "Lab note", tags: ["lab", "fake"], type: "NOTE" });
    case "batch":
      return JSON.stringify([
        { content: "Buy milk", title: "Buy milk", tags: ["errand"], type: "TASK" },
        { content: "Idea: lab report", title: "Lab report", tags: ["idea"], type: "IDEA" },
      ]);
    case "cleanup":
      return JSON.stringify({ cleanedText: "Cleaned lab note.", items: ["Cleaned lab note."] });
    case "transcribe":
      return "Transcribed lab audio.";
    case "daily-brief":
      return "Today: one lab task is due.";
    case "search":
      return "The lab note mentions the answer.";
    case "other":
      return "OK";
  }
}

/** Keys are recorded as a short hash only; the lab never stores or prints a key. */
export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 12);
}

export const isInvalidKey = (key: string): boolean => key === "" || key.toLowerCase().includes("invalid");

/**
 * Keys the provider refuses for that key alone, after they were accepted: one whose own quota is
 * spent ("quota" in the key → 429) or that was revoked ("revoked" → 401/403). The validation ping
 * at connect still passes, so a session exists and every later call is refused; nothing about the
 * provider's health changes for any other key.
 */
export function keyRefusal(key: string, intent: AiIntent, server: "gemini" | "openrouter"): number | null {
  if (intent === "validate") return null;
  const lower = key.toLowerCase();
  if (lower.includes("quota")) return 429;
  if (lower.includes("revoked")) return server === "gemini" ? 403 : 401;
  return null;
}
