import { err, ok, type Result } from "./result";

/**
 * Parses model output that should be JSON but often is not only JSON (docs/api.md#routes): plain JSON, a
 * ```json fenced block, or the first balanced {…}/[…] that parses. Never throws.
 */
export function parseTolerantJson(text: string): Result<unknown, string> {
  const trimmed = text.trim();
  if (trimmed === "") return err("empty output");
  const whole = tryParse(trimmed);
  if (whole.ok) return whole;
  for (const fenced of fencedBlocks(trimmed)) {
    const parsed = tryParse(fenced);
    if (parsed.ok) return parsed;
  }
  for (const candidate of balancedCandidates(trimmed)) {
    const parsed = tryParse(candidate);
    if (parsed.ok) return parsed;
  }
  return err("no JSON value found in the output");
}

function tryParse(text: string): Result<unknown, string> {
  try {
    return ok(JSON.parse(text) as unknown);
  } catch {
    return err("invalid JSON");
  }
}

const FENCE = /```[ \t]*[A-Za-z0-9_-]*[ \t]*\r?\n?([\s\S]*?)```/g;

function* fencedBlocks(text: string): Generator<string> {
  for (const match of text.matchAll(FENCE)) {
    const inner = match[1]?.trim();
    if (inner) yield inner;
  }
}

/** Bounds the work on adversarial output: each candidate costs one linear scan. */
const MAX_CANDIDATES = 64;
const CLOSER: Record<string, string> = { "{": "}", "[": "]" };

function* balancedCandidates(text: string): Generator<string> {
  let tried = 0;
  for (let start = 0; start < text.length && tried < MAX_CANDIDATES; start += 1) {
    const char = text[start]!;
    if (char !== "{" && char !== "[") continue;
    tried += 1;
    const end = balancedEnd(text, start);
    if (end !== -1) yield text.slice(start, end + 1);
  }
}

/** Index of the bracket closing the one at `start` (string- and escape-aware), or -1. */
function balancedEnd(text: string, start: number): number {
  const expected: string[] = [];
  let inString = false;
  for (let index = start; index < text.length; index += 1) {
    const char = text[index]!;
    if (inString) {
      if (char === "\\") index += 1;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === "{" || char === "[") expected.push(CLOSER[char]!);
    else if (char === "}" || char === "]") {
      if (expected.pop() !== char) return -1;
      if (expected.length === 0) return index;
    }
  }
  return -1;
}
