import { clientWaitBounded, errorsAreEnvelopes, retryAfterMatchesTimeLeft, retryAmplificationBounded, singleProbePerHalfOpenWindow, sseNotCutByTimeout, type Invariant, type Violation } from "./invariants";
import { providerBreakerHolds, providerTimeoutsAre504 } from "./invariants-provider";
import { metricsMatchObservations, noSecretLeaks, sessionsSurviveRotation } from "./invariants-state";
import type { Trace } from "./trace";

/** Every invariant the explorer checks, by the name used in reports and found files. */
export const INVARIANTS: Readonly<Record<string, Invariant>> = {
  "single-probe": singleProbePerHalfOpenWindow,
  "retry-amplification": retryAmplificationBounded,
  "retry-after": retryAfterMatchesTimeLeft,
  "error-envelope": errorsAreEnvelopes,
  "client-wait": clientWaitBounded,
  "sse-not-cut": sseNotCutByTimeout,
  "provider-timeout": providerTimeoutsAre504,
  "provider-breaker": providerBreakerHolds,
  "sessions-survive-rotation": sessionsSurviveRotation,
  "metrics-match": metricsMatchObservations,
  "no-secret-leak": noSecretLeaks,
};

/** The first broken invariant, in the order above (the most specific diagnosis first). */
export function firstViolation(trace: Trace): Violation | null {
  for (const invariant of Object.values(INVARIANTS)) {
    const found = invariant(trace);
    if (found) return found;
  }
  return null;
}
