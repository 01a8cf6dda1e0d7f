import type { Trace } from "../trace/trace";
import { clientWaitBounded } from "./client-wait-bounded";
import { errorsAreEnvelopes } from "./errors-are-envelopes";
import { halfOpenSingleProbe } from "./half-open-single-probe";
import { metricsMatchObservations } from "./metrics-match-observations";
import { noSecretLeak } from "./no-secret-leak";
import { providerBreakerHolds } from "./provider-breaker-holds";
import { providerTimeoutIs504 } from "./provider-timeout-is-504";
import { retryAfterHonest } from "./retry-after-honest";
import { retryAmplificationBounded } from "./retry-amplification-bounded";
import { sessionsSurviveRotation } from "./sessions-survive-rotation";
import { sseNotCutByTimeout } from "./sse-not-cut-by-timeout";
import { VIRTUAL_CLOCK, type Invariant, type Judging, type Violation } from "./types";

/**
 * Every invariant the explorer checks on one run, in this order (the most specific diagnosis
 * first). A new rule is one new file in this folder plus one line here; `isolation`
 * (isolation-honest-answers.ts) judges a run and its twin and is called by explore.ts itself.
 */
export const INVARIANTS: readonly Invariant[] = [
  halfOpenSingleProbe,
  retryAmplificationBounded,
  retryAfterHonest,
  errorsAreEnvelopes,
  clientWaitBounded,
  sseNotCutByTimeout,
  providerTimeoutIs504,
  providerBreakerHolds,
  sessionsSurviveRotation,
  metricsMatchObservations,
  noSecretLeak,
];

/** The first broken invariant, in the order above. */
export function firstViolation(trace: Trace, judging: Judging = VIRTUAL_CLOCK): Violation | null {
  for (const invariant of INVARIANTS) {
    const [found] = invariant.check(trace, judging);
    if (found) return found;
  }
  return null;
}
