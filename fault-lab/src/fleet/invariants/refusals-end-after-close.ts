import { seconds, violation, fleetInvariant } from "./types";

const SLACK_MS = 1000;

/**
 * Once the shared breaker closed, every isolate serves again within one learning interval (plus
 * its round trip to the object): no isolate keeps answering provider_circuit_open on a stale view.
 */
export const refusalsEndAfterClose = fleetInvariant("fleet-refusal-after-close", "no isolate answers provider_circuit_open later than one learning interval (plus its round trip) after the fleet's breaker closed", (trace) => {
  const changes = trace.breaker;
  const grace = trace.config.learningIntervalMs + trace.config.maxRttMs + SLACK_MS;
  for (const [index, change] of changes.entries()) {
    if (change.phase !== "closed") continue;
    const reopened = changes.slice(index + 1).find((later) => later.provider === change.provider && later.phase !== "closed");
    const until = reopened?.t ?? Number.POSITIVE_INFINITY;
    const stale = trace.requests.find((request) => request.kind === "ai" && request.cause === "provider_circuit_open" && request.t > change.t + grace && request.t < until);
    if (stale) {
      return violation(
        "fleet-refusal-after-close",
        `isolate ${stale.isolate} refused an AI request with provider_circuit_open at ${seconds(trace, stale.t)}, ${((stale.t - change.t) / 1000).toFixed(1)} s after the fleet's ${change.provider} breaker closed (allowed: one learning interval of ${trace.config.learningIntervalMs / 1000} s plus the round trip)`,
      );
    }
  }
  return null;
});
