import { firstOnly } from "./types";
import { epochOf, isV2, lastAttemptFor } from "./trace-queries";

/**
 * Every retryable 429/503/504 has an integer Retry-After ≥ 1; on /api/v2 it matches the time left
 * (± 1 s): the circuit's remaining window, the upstream's own Retry-After, or the open window.
 */
export const retryAfterHonest = firstOnly("retry-after", "every retryable 429/503/504 has an integer Retry-After ≥ 1 that matches the time left (± 1 s)", (trace) => {
  for (const exchange of trace.exchanges) {
    if (![429, 503, 504].includes(exchange.status) || exchange.envelope?.retryable !== true) continue;
    const header = exchange.retryAfter;
    if (header === null || !/^\d+$/.test(header) || Number(header) < 1) return `${exchange.requestId} got ${exchange.status} retryable with Retry-After ${JSON.stringify(header)}; expected an integer ≥ 1`;
    if (!isV2(exchange)) continue;
    const seconds = Number(header);
    const epoch = epochOf(trace, exchange.epoch);
    let expected: number | null = null;
    if (exchange.envelope.cause === "circuit_open") expected = Math.max(1, Math.ceil(exchange.circuit.remainingMs / 1000));
    else if (["upstream_5xx", "timeout", "network_error"].includes(String(exchange.envelope.cause))) {
      const sent = lastAttemptFor(trace, exchange.requestId)?.retryAfterSec;
      expected = sent !== null && sent !== undefined && exchange.envelope.cause === "upstream_5xx" ? Math.max(1, sent) : epoch.config.vpsOpenMs / 1000;
    }
    if (expected !== null && Math.abs(seconds - expected) > 1) return `${exchange.requestId} (${String(exchange.envelope.cause)}) got Retry-After ${seconds}; the time left is ${expected} s (± 1 s)`;
  }
  return null;
});
