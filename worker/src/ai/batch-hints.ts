import type { NoteType } from "./normalize";

/**
 * Smart-batching hints of the original worker: from the user's text, how many items and which type
 * were asked for ("Create 2 ideas and 3 tasks…"). Pure; the regexes are compiled once.
 */
export const MAX_BATCH_ITEMS = 25;

export interface BatchHints {
  /** The text reads as a request to generate items, not a dump to split. */
  generation: boolean;
  count: number | null;
  type: NoteType | null;
}

const NUMBER_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"];
const NUM = `(\\d{1,3}|${NUMBER_WORDS.join("|")})`;
const TYPE = "(ideas?|tasks?|notes?)";

const GENERATION_WORD = /\b(?:create|generate|brainstorm|list|draft|produce|make)\b|\bcome up with\b|\bgive me\b/i;
const STARTS_WITH_COUNT = new RegExp(`^\\s*${NUM}\\s+${TYPE}\\b`, "i");
const AMOUNT_OF_TYPE = new RegExp(`\\b(?:amount|number)\\s+of\\s+${TYPE}\\b`, "i");
const COUNT_CLAUSE = new RegExp(`\\b${NUM}\\s+(?:(?:new|distinct|different|fresh)\\s+)?${TYPE}\\b`, "gi");
const COUNT_AMOUNT_CLAUSE = new RegExp(`\\b${NUM}\\s+(?:amount|number)\\s+of\\s+${TYPE}\\b`, "gi");
const LOOSE_COUNT = new RegExp(`\\b(?:create|generate|brainstorm|list|make|produce)\\s+(?:me\\s+)?${NUM}\\b`, "i");
const TYPE_WORD = new RegExp(`\\b${TYPE}\\b`, "gi");
const BREAKING_GAP = /\b(?:or|either|versus|vs)\b|[/|]/i;
const BRIDGING_GAP = /\b(?:and|plus|also|then)\b/i;
const PUNCTUATION_GAP = /^[\s,;+&]*$/;

interface Clause {
  start: number;
  end: number;
  count: number;
  type: NoteType;
}

/** A count token's value, capped at 25; null for 0 (ignored, as the original does). */
function countOf(token: string): number | null {
  const word = NUMBER_WORDS.indexOf(token.toLowerCase());
  const value = word >= 0 ? word + 1 : Number(token);
  return value > 0 ? Math.min(value, MAX_BATCH_ITEMS) : null;
}

function typeOf(word: string): NoteType {
  const lower = word.toLowerCase();
  return lower.startsWith("idea") ? "IDEA" : lower.startsWith("task") ? "TASK" : "NOTE";
}

function clauses(text: string): Clause[] {
  const found = new Map<string, Clause>();
  for (const pattern of [COUNT_CLAUSE, COUNT_AMOUNT_CLAUSE]) {
    for (const match of text.matchAll(pattern)) {
      const count = countOf(match[1]!);
      if (count === null) continue;
      const start = match.index;
      const end = start + match[0].length;
      found.set(`${start}:${end}`, { start, end, count, type: typeOf(match[2]!) });
    }
  }
  return [...found.values()].sort((a, b) => a.start - b.start || a.end - b.end);
}

const bridges = (gap: string): boolean =>
  gap.trim() === "" || PUNCTUATION_GAP.test(gap) || (!BREAKING_GAP.test(gap) && BRIDGING_GAP.test(gap));

function requestedCount(text: string, found: Clause[]): number | null {
  if (found.length === 1) return found[0]!.count;
  if (found.length > 1) {
    for (let index = 1; index < found.length; index += 1) {
      if (!bridges(text.slice(found[index - 1]!.end, found[index]!.start))) return null;
    }
    return Math.min(MAX_BATCH_ITEMS, found.reduce((sum, clause) => sum + clause.count, 0));
  }
  const loose = LOOSE_COUNT.exec(text);
  return loose ? countOf(loose[1]!) : null;
}

function requestedType(text: string, found: Clause[]): NoteType | null {
  const clauseTypes = new Set(found.map((clause) => clause.type));
  if (clauseTypes.size === 1) return [...clauseTypes][0]!;
  const mentioned = new Set([...text.matchAll(TYPE_WORD)].map((match) => typeOf(match[1]!)));
  return mentioned.size === 1 ? [...mentioned][0]! : null;
}

export function batchHints(content: string): BatchHints {
  const generation = GENERATION_WORD.test(content) || STARTS_WITH_COUNT.test(content) || AMOUNT_OF_TYPE.test(content);
  if (!generation) return { generation, count: null, type: null };
  const found = clauses(content);
  return { generation, count: requestedCount(content, found), type: requestedType(content, found) };
}

/** The prompt lines that pass the hints on to the model. */
export function hintLines(hints: BatchHints): string[] {
  if (!hints.generation) return [];
  return [
    "The user asks you to generate new items rather than split the text.",
    ...(hints.count !== null ? [`Return exactly ${hints.count} item(s).`] : []),
    ...(hints.type !== null ? [`Every item's type must be ${hints.type}.`] : []),
  ];
}
