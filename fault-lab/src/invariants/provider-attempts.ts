import type { AttemptRecord } from "../trace/trace";

/**
 * What the provider invariants read from one provider attempt, the same way on every runtime:
 * which client request made it (`clientRequestId` + `clientStep`, recorded by the target) and when
 * it ended (`settledAt`; else `t + durationMs`, which the fakes' own event log carries).
 */
export const isProvider = (attempt: AttemptRecord): boolean => attempt.server === "gemini" || attempt.server === "openrouter";

export type AttributedAttempt = AttemptRecord & { clientRequestId: string; clientStep: number; endedAt: number };

/** The attempt's end, virtual or real ms; null while the fake never saw it end. */
export function attemptEnd(attempt: AttemptRecord): number | null {
  if (typeof attempt.settledAt === "number") return attempt.settledAt;
  return typeof attempt.durationMs === "number" && attempt.outcome !== "pending" ? attempt.t + attempt.durationMs : null;
}

/** The attempt with its client request and end, or null when the trace did not record them. */
export function attributed(attempt: AttemptRecord): AttributedAttempt | null {
  const endedAt = attemptEnd(attempt);
  if (!isProvider(attempt) || endedAt === null || typeof attempt.clientRequestId !== "string" || typeof attempt.clientStep !== "number") return null;
  return { ...attempt, clientRequestId: attempt.clientRequestId, clientStep: attempt.clientStep, endedAt };
}

export const clientKey = (step: number, requestId: string): string => `${step}/${requestId}`;

/**
 * What one attempt tells the breaker (docs/decisions/0003): a provider fault (timeout, network
 * error, 5xx, a 2xx that is not JSON) is a failure; one key's outcome (429, 401, 403, the fake
 * Gemini's 400 API_KEY_INVALID) is neutral and not reported, except by the probe; the rest succeed.
 * The Worker's own verdict is worker/src/providers/retry-policy.ts `breakerVerdict`.
 */
export type Verdict = "failure" | "neutral" | "success";
export function verdictOf(attempt: AttemptRecord): Verdict {
  if (attempt.outcome === "client-gone" || attempt.outcome === "reset") return "failure";
  if (attempt.status === null) return "success";
  const malformed = attempt.faults.includes("malformed-json");
  if (attempt.status >= 500 || (attempt.status >= 200 && attempt.status < 300 && malformed)) return "failure";
  if (attempt.status === 429 || attempt.status === 401 || attempt.status === 403) return "neutral";
  if (attempt.server === "gemini" && attempt.status === 400 && !malformed) return "neutral";
  return "success";
}
export const attemptFailed = (attempt: AttemptRecord): boolean => verdictOf(attempt) === "failure";
