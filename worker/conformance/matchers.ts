/**
 * Small asymmetric matchers for the case table. vitest's toEqual accepts any object with an
 * `asymmetricMatch` function, so these work in both runners without a global `expect.extend`.
 */
export interface Matcher {
  asymmetricMatch(actual: unknown): boolean;
  toString(): string;
  toAsymmetricMatcher(): string;
}

export function matching(description: string, predicate: (actual: unknown) => boolean): Matcher {
  return {
    asymmetricMatch: predicate,
    toString: () => description,
    toAsymmetricMatcher: () => description,
  };
}

export const anyNumber = matching("a finite number", (value) => typeof value === "number" && Number.isFinite(value));
export const anyBoolean = matching("a boolean", (value) => typeof value === "boolean");
export const nullOrNumber = matching("null or a number", (value) => value === null || (typeof value === "number" && Number.isFinite(value)));
export const anyString = matching("a non-empty string", (value) => typeof value === "string" && value !== "");

/** Epoch milliseconds (the original worker's timestamp form) about `offsetMs` from the moment of matching (± `toleranceMs`). */
export function epochMsAbout(offsetMs: number, toleranceMs = 5 * 60_000): Matcher {
  return matching(`epoch ms about ${offsetMs} ms from now`, (value) => {
    if (typeof value !== "number" || !Number.isInteger(value)) return false;
    return Math.abs(value - (Date.now() + offsetMs)) <= toleranceMs;
  });
}

/** An object with at least these keys, each matching its matcher (extra keys allowed: docs/api.md#metrics "none removed"). */
export function hasKeys(shape: Record<string, unknown>): Matcher {
  const entries = Object.entries(shape);
  return matching(`an object with keys ${entries.map(([key]) => key).join(", ")}`, (value) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
    const record = value as Record<string, unknown>;
    return entries.every(([key, expected]) => key in record && matches(expected, record[key]));
  });
}

/** Each key of `names` with a finite number. */
export const counters = (names: readonly string[]): Matcher => hasKeys(Object.fromEntries(names.map((name) => [name, anyNumber])));

function matches(expected: unknown, actual: unknown): boolean {
  if (expected !== null && typeof expected === "object" && "asymmetricMatch" in expected) {
    return (expected as Matcher).asymmetricMatch(actual);
  }
  return Object.is(expected, actual);
}
