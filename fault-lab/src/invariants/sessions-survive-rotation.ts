import { FAILURE_CAUSES } from "../../worker/src/errors";
import { hashKey } from "../src/fakes/ai-answers";
import type { Invariant } from "./invariants";
import type { ClientExchange } from "./trace";

const violation = (invariant: string, message: string) => ({ invariant, message });

/**
 * A session created before a rotation still works after it and no record is lost: while its secret
 * is active or still PREV, every status check says connected and no AI call says AUTH_EXPIRED.
 * A successful read under PREV re-seals it with the active secret (docs/api.md#key-storage-and-rotation).
 */
export const sessionsSurviveRotation: Invariant = (trace) => {
  const sealedWith = new Map<string, number>();
  // A key the provider itself refused (401/403: revoked) ends its session by the provider's verdict.
  // Matched by the key's hash, which the fakes record in both runtimes.
  const refusedKeys = new Set(trace.attempts.filter((attempt) => attempt.server !== "backend" && (attempt.status === 401 || attempt.status === 403) && attempt.keyHash).map((attempt) => attempt.keyHash));
  const keyOfJar = new Map<string, string>();
  const byStep = new Map<number, ClientExchange[]>();
  for (const exchange of trace.exchanges) byStep.set(exchange.step, [...(byStep.get(exchange.step) ?? []), exchange]);
  for (const step of trace.steps) {
    const scheduleStep = trace.schedule.steps[step.index];
    for (const exchange of byStep.get(step.index) ?? []) {
      if (scheduleStep?.do === "connect") {
        if (exchange.status === 200) {
          sealedWith.set(scheduleStep.as, step.activeSecret);
          keyOfJar.set(scheduleStep.as, hashKey(scheduleStep.key));
        }
        continue;
      }
      const jar = exchange.jar;
      if (!jar || step.kvDown) continue;
      if (refusedKeys.has(keyOfJar.get(jar))) continue;
      const sealed = sealedWith.get(jar);
      if (sealed === undefined) continue;
      const readable = sealed === step.activeSecret || sealed === step.prevSecret;
      const isStatus = exchange.path === "/api/v1/auth/status";
      const worked = isStatus ? exchange.status === 200 && exchange.connected === true : exchange.status === 200;
      const lost = isStatus ? exchange.status === 200 && exchange.connected === false : exchange.envelope?.code === "AUTH_EXPIRED" || exchange.envelope?.code === "AUTH_REQUIRED";
      if (readable && lost) {
        return violation("sessions-survive-rotation", `session "${jar}" sealed with secret #${sealed} was lost at ${exchange.requestId} while secret #${step.activeSecret} is active and ${step.prevSecret === null ? "no PREV is set" : `#${step.prevSecret} is PREV`}`);
      }
      if (worked) sealedWith.set(jar, step.activeSecret);
      else if (lost) sealedWith.delete(jar);
    }
  }
  return null;
};

/** The isolate's counters equal what the explorer observed in the same isolate. */
export const metricsMatchObservations: Invariant = (trace) => {
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
      if (observed !== counted) return violation("metrics-match", `isolate #${epoch.index}: ${name} is ${counted} but the explorer observed ${observed}`);
    }
  }
  return null;
};

/** No provider key or secret in any response, header or log line. */
export const noSecretLeaks: Invariant = (trace) => {
  for (const secret of trace.secrets) {
    const wire = trace.wire.findIndex((text) => text.includes(secret));
    if (wire >= 0) return violation("no-secret-leak", `a key or secret (${secret.length} chars, not shown) appears in response #${wire}`);
    const log = trace.logs.findIndex((line) => line.includes(secret));
    if (log >= 0) return violation("no-secret-leak", `a key or secret (${secret.length} chars, not shown) appears in log line #${log}`);
  }
  return null;
};
