import type { ClientExchange } from "../trace/trace";
import { attributed, clientKey, isProvider, type AttributedAttempt } from "./provider-attempts";
import { firstOnly } from "./types";

const isTimeoutAnswer = (exchange: ClientExchange): boolean =>
  exchange.status === 504 && exchange.envelope?.code === "TIMEOUT" && exchange.envelope.cause === "provider_timeout" && exchange.envelope.retryable === true && exchange.retryAfter === "5";

/**
 * On a real clock the attempts of a burst (identical requests of one step) are given to its requests
 * by time (targets/attempt-attribution.ts), a guess between requests that look the same to the
 * provider. Such a burst is judged as a whole: the steps where as many requests' last attempts timed
 * out as requests were answered provider_timeout.
 */
function balancedBursts(exchanges: readonly ClientExchange[], lastAttempt: ReadonlyMap<string, AttributedAttempt>): Set<number> {
  const size = new Map<number, number>();
  const timeoutAnswers = new Map<number, number>();
  const timedOut = new Map<number, number>();
  const add = (counts: Map<number, number>, step: number) => counts.set(step, (counts.get(step) ?? 0) + 1);
  for (const exchange of exchanges) {
    add(size, exchange.step);
    if (exchange.envelope?.cause === "provider_timeout") add(timeoutAnswers, exchange.step);
    if (lastAttempt.get(clientKey(exchange.step, exchange.requestId))?.outcome === "client-gone") add(timedOut, exchange.step);
  }
  return new Set([...size].filter(([step, count]) => count > 1 && (timedOut.get(step) ?? 0) === (timeoutAnswers.get(step) ?? 0)).map(([step]) => step));
}

/**
 * A hang is cut at PROVIDER_TIMEOUT_MS (exactly on the virtual clock, within the timer slack on a
 * real one) and an answer before it is taken; a request whose last attempt timed out gets 504
 * TIMEOUT provider_timeout with Retry-After 5 (or, when the retry was refused by the open breaker,
 * 503 provider_circuit_open), and provider_timeout only then. Both runtimes are judged alike from
 * each attempt's client request and end (provider-attempts.ts). On a real clock an answer that
 * arrived within the slack of the timeout may have lost the race, so either verdict is accepted.
 * The Worker's own timeout: worker/src/providers/attempt.ts.
 */
export const providerTimeoutIs504 = firstOnly("provider-timeout", "a provider hang is cut at PROVIDER_TIMEOUT_MS and answered 504 TIMEOUT provider_timeout, Retry-After 5; provider_timeout only then", (trace, judging) => {
  const slack = judging.timerSlackMs;
  const lastAttempt = new Map<string, AttributedAttempt>();
  // Provider attempts the target did not attribute to a client request: a request without an
  // attributed attempt may have made one of them, so it is never called "never sent" then.
  let unattributed = 0;
  for (const record of trace.attempts) {
    if (!isProvider(record)) continue;
    const attempt = attributed(record);
    if (!attempt) {
      unattributed += 1;
      continue;
    }
    const { providerTimeoutMs } = trace.epochs[attempt.epoch]!.config;
    const lasted = attempt.endedAt - attempt.t;
    if (attempt.outcome === "client-gone" && Math.abs(lasted - providerTimeoutMs) > slack) {
      return `a ${attempt.server} attempt of ${attempt.clientRequestId} was abandoned after ${lasted} ms; PROVIDER_TIMEOUT_MS is ${providerTimeoutMs}${slack > 0 ? ` (± ${slack} ms)` : ""}`;
    }
    if (attempt.outcome === "answered" && lasted >= providerTimeoutMs + slack) {
      return `a ${attempt.server} attempt of ${attempt.clientRequestId} was still waited for after ${lasted} ms; PROVIDER_TIMEOUT_MS is ${providerTimeoutMs}`;
    }
    lastAttempt.set(clientKey(attempt.clientStep, attempt.clientRequestId), attempt);
  }
  const burstJudged = judging.clock === "real" ? balancedBursts(trace.exchanges, lastAttempt) : new Set<number>();
  for (const exchange of trace.exchanges) {
    const last = lastAttempt.get(clientKey(exchange.step, exchange.requestId));
    const cause = exchange.envelope?.cause;
    const timedOut = last?.outcome === "client-gone";
    const racedTheTimeout = last?.outcome === "answered" && last.endedAt - last.t > trace.epochs[last.epoch]!.config.providerTimeoutMs - slack;
    if (cause === "provider_timeout" && !timedOut && !racedTheTimeout) {
      if (!last && unattributed > 0) continue;
      if (burstJudged.has(exchange.step)) continue;
      return `${exchange.requestId} got provider_timeout but its last provider attempt was ${last ? `${last.outcome} ${last.status ?? ""}`.trim() : "never sent"}`;
    }
    if (!timedOut || cause === "provider_circuit_open" || burstJudged.has(exchange.step)) continue;
    if (!isTimeoutAnswer(exchange)) {
      return `${exchange.requestId} (${exchange.path}): its last provider attempt timed out, but it got ${exchange.status} ${String(exchange.envelope?.code ?? "")} ${String(cause ?? "")} Retry-After ${JSON.stringify(exchange.retryAfter)}; expected 504 TIMEOUT provider_timeout, Retry-After 5`;
    }
  }
  return null;
});
