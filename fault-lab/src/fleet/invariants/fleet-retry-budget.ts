import { violation, fleetInvariant } from "./types";

/** The retry budget, fleet-wide: while the backend fails every request, attempts ≤ 1.2 × requests. */
export const RETRY_BUDGET_FACTOR = 1.2;

export const fleetRetryBudget = fleetInvariant("fleet-retry-budget", "while the backend fails every request, backend attempts stay within 1.2 x /api/v2 requests, fleet-wide", (trace) => {
  for (const phase of trace.phases) {
    if (phase.outage !== "backend") continue;
    const requests = trace.requests.filter((request) => request.kind === "v2" && request.t >= phase.from && request.t < phase.to).length;
    const attempts = trace.attempts.filter((attempt) => attempt.server === "backend" && attempt.t >= phase.from && attempt.t < phase.to).length;
    if (attempts > RETRY_BUDGET_FACTOR * requests) {
      return violation(
        "fleet-retry-budget",
        `during ${phase.name} the fleet sent ${attempts} backend attempts for ${requests} /api/v2 requests (${(attempts / Math.max(1, requests)).toFixed(2)} per request; the budget allows ${RETRY_BUDGET_FACTOR})`,
      );
    }
  }
  return null;
});
