import { FAILURE_CAUSES } from "../../../worker/src/errors";
import { firstOnly } from "./types";

/** The isolate's counters equal what the explorer observed in the same isolate. */
export const metricsMatchObservations = firstOnly("metrics-match", "per isolate, the Worker's counters equal what the explorer observed", (trace) => {
  if (trace.stuck) return null;
  for (const epoch of trace.epochs) {
    if (!epoch.metrics) continue;
    const exchanges = trace.exchanges.filter((exchange) => exchange.epoch === epoch.index);
    const v2 = exchanges.filter((exchange) => exchange.path.startsWith("/api/v2"));
    const attempts = trace.attempts.filter((attempt) => attempt.epoch === epoch.index && attempt.server === "backend");
    const requestsWithAttempts = new Set(attempts.map((attempt) => attempt.requestId)).size;
    const causeCount = (cause: string) => exchanges.filter((exchange) => exchange.envelope?.cause === cause).length;
    const expected: [string, number, number][] = [
      ["requests", exchanges.length, epoch.metrics.metrics.requests],
      ["vpsProxyUpstreamAttempts", attempts.length, epoch.metrics.metrics.vpsProxyUpstreamAttempts],
      ["vpsProxyRetries", attempts.length - requestsWithAttempts, epoch.metrics.metrics.vpsProxyRetries],
      ["vpsProxyCircuitRejects", v2.filter((exchange) => exchange.envelope?.cause === "circuit_open").length, epoch.metrics.metrics.vpsProxyCircuitRejects],
      ["rateLimited", exchanges.filter((exchange) => exchange.envelope?.code === "RATE_LIMITED").length, epoch.metrics.metrics.rateLimited],
      ...FAILURE_CAUSES.map((cause): [string, number, number] => [
        `failureCauses.${cause}`,
        causeCount(cause),
        (epoch.metrics!.failureCauses.upstream as Record<string, number>)[cause] ?? (epoch.metrics!.failureCauses.provider as Record<string, number>)[cause] ?? 0,
      ]),
    ];
    for (const [name, observed, counted] of expected) {
      if (observed !== counted) return `isolate #${epoch.index}: ${name} is ${counted} but the explorer observed ${observed}`;
    }
  }
  return null;
});
