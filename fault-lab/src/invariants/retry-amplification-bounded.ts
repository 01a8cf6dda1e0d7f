import { ERROR_CODES, FAILURE_CAUSES } from "../../worker/src/errors";
import type { AttemptRecord, ClientExchange, Epoch, Trace } from "./trace";

/** A broken invariant: its name (also the found file's name) and what was seen, readable. */
export interface Violation {
  invariant: string;
  message: string;
}

export type Invariant = (trace: Trace) => Violation | null;

/** The retry budget the issue asks for: retries ≤ 20 % of requests, with a floor of 3 per 10 s. */
export const RETRY_BUDGET_RULE = { ratio: 0.2, floorPerWindow: 3, windowMs: 10_000 };
/** Provider backoff ceiling per retry: the longer of the 4 s backoff cap and the 10 s Retry-After cap. */
const PROVIDER_RETRY_WAIT_MS = 10_000;
const V2_BACKOFF_CAP_MS = 800;
const SLACK_MS = 1_000;

const violation = (invariant: string, message: string): Violation => ({ invariant, message });
const isV2 = (exchange: { path: string }): boolean => exchange.path.startsWith("/api/v2");
const backendAttempts = (trace: Trace): AttemptRecord[] => trace.attempts.filter((attempt) => attempt.server === "backend");
const epochOf = (trace: Trace, index: number): Epoch => trace.epochs[index]!;
/** Answers the Worker built itself; a v2 answer below 500 is the backend's, passed through untouched. */
const isWorkerError = (exchange: ClientExchange): boolean => exchange.status >= 400 && !(isV2(exchange) && exchange.status < 500 && exchange.envelope?.requestId === undefined);

/**
 * At most one backend request in flight per half-open window (docs/api.md: exactly one probe). A
 * probe its own client gave up on (X-Timeout-Ms ran out: no verdict) frees the slot once its attempt
 * has ended, so a later request may probe; without that end (workerd traces) only the lost-probe
 * deadline does.
 */
export const singleProbePerHalfOpenWindow: Invariant = (trace) => {
  let probe: { t: number; settledAt: number | null } | null = null;
  let epoch = -1;
  for (const sample of trace.circuitLog) {
    if (sample.epoch !== epoch || sample.state !== "half-open") {
      epoch = sample.epoch;
      probe = null;
      if (sample.state !== "half-open") continue;
    }
    if (sample.kind !== "attempt") continue;
    const lostProbeMs = epochOf(trace, sample.epoch).config.vpsTimeoutMs * 2 + SLACK_MS;
    const stillInFlight = probe !== null && sample.t - probe.t < lostProbeMs && (probe.settledAt === null || probe.settledAt > sample.t);
    if (probe !== null && stillInFlight) {
      return violation("single-probe", `a second backend request (${sample.requestId}) went upstream ${sample.t - probe.t} ms after the half-open probe, before the probe answered`);
    }
    const attempt = trace.attempts.find((candidate) => candidate.server === "backend" && candidate.epoch === sample.epoch && candidate.t === sample.t && candidate.requestId === sample.requestId);
    probe = { t: sample.t, settledAt: attempt?.settledAt ?? null };
  }
  return null;
};

/** Attempts per request ≤ 1 + VPS_PROXY_RETRIES, and retries within the budget (≤ 1.2× under a dead backend). */
export const retryAmplificationBounded: Invariant = (trace) => {
  for (const epoch of trace.epochs) {
    const attempts = backendAttempts(trace).filter((attempt) => attempt.epoch === epoch.index);
    if (attempts.length === 0) continue;
    const perRequest = new Map<string, number>();
    for (const attempt of attempts) perRequest.set(attempt.requestId ?? "?", (perRequest.get(attempt.requestId ?? "?") ?? 0) + 1);
    for (const [requestId, count] of perRequest) {
      if (count > 1 + epoch.config.vpsRetries) {
        return violation("retry-amplification", `request ${requestId} made ${count} backend attempts; VPS_PROXY_RETRIES=${epoch.config.vpsRetries} allows ${1 + epoch.config.vpsRetries}`);
      }
    }
    const requests = perRequest.size;
    const retries = attempts.length - requests;
    const span = attempts[attempts.length - 1]!.t - attempts[0]!.t;
    const windows = Math.ceil(span / RETRY_BUDGET_RULE.windowMs) + 1;
    const allowed = Math.floor(RETRY_BUDGET_RULE.ratio * requests) + RETRY_BUDGET_RULE.floorPerWindow * windows;
    if (retries > allowed) {
      return violation("retry-amplification", `${requests} requests made ${attempts.length} backend attempts (${retries} retries); the retry budget allows ${allowed} (20 % + ${RETRY_BUDGET_RULE.floorPerWindow} per ${RETRY_BUDGET_RULE.windowMs / 1000} s)`);
    }
  }
  return null;
};

const lastAttemptFor = (trace: Trace, requestId: string): AttemptRecord | undefined => trace.attempts.filter((attempt) => attempt.requestId === requestId).pop();

/** Every retryable 429/503/504 has an integer Retry-After ≥ 1 that matches the time left (± 1 s). */
export const retryAfterMatchesTimeLeft: Invariant = (trace) => {
  for (const exchange of trace.exchanges) {
    if (![429, 503, 504].includes(exchange.status) || exchange.envelope?.retryable !== true) continue;
    const header = exchange.retryAfter;
    if (header === null || !/^\d+$/.test(header) || Number(header) < 1) {
      return violation("retry-after", `${exchange.requestId} got ${exchange.status} retryable with Retry-After ${JSON.stringify(header)}; expected an integer ≥ 1`);
    }
    if (!isV2(exchange)) continue;
    const seconds = Number(header);
    const epoch = epochOf(trace, exchange.epoch);
    let expected: number | null = null;
    if (exchange.envelope.cause === "circuit_open") expected = Math.max(1, Math.ceil(exchange.circuit.remainingMs / 1000));
    else if (["upstream_5xx", "timeout", "network_error"].includes(String(exchange.envelope.cause))) {
      const sent = lastAttemptFor(trace, exchange.requestId)?.retryAfterSec;
      expected = sent !== null && sent !== undefined && exchange.envelope.cause === "upstream_5xx" ? Math.max(1, sent) : epoch.config.vpsOpenMs / 1000;
    }
    if (expected !== null && Math.abs(seconds - expected) > 1) {
      return violation("retry-after", `${exchange.requestId} (${String(exchange.envelope.cause)}) got Retry-After ${seconds}; the time left is ${expected} s (± 1 s)`);
    }
  }
  return null;
};

/** Every error is the JSON envelope with a known code, a known cause and the request id; never a 500. */
export const errorsAreEnvelopes: Invariant = (trace) => {
  for (const exchange of trace.exchanges) {
    // A provider's own 5xx is passed on with its status (docs/api.md#ai-providers); any other 500 is the Worker failing.
    const providerStatus = exchange.envelope?.code === "PROVIDER_UNAVAILABLE" && exchange.envelope.cause === "provider_5xx";
    if (exchange.status === 500 && !providerStatus) {
      return violation("error-envelope", `${exchange.requestId} (${exchange.method} ${exchange.path}) got a 500 ${String(exchange.envelope?.code ?? "")} under backend/provider faults`);
    }
    if (!isWorkerError(exchange)) continue;
    const where = `${exchange.requestId} (${exchange.status} ${exchange.method} ${exchange.path})`;
    const envelope = exchange.envelope;
    if (!envelope) return violation("error-envelope", `${where}: ${exchange.envelopeProblem ?? "no error envelope"}`);
    if (!(ERROR_CODES as readonly unknown[]).includes(envelope.code)) return violation("error-envelope", `${where}: unknown error code ${JSON.stringify(envelope.code)}`);
    if (envelope.cause !== undefined && !(FAILURE_CAUSES as readonly unknown[]).includes(envelope.cause)) return violation("error-envelope", `${where}: unknown cause ${JSON.stringify(envelope.cause)}`);
    if (typeof envelope.retryable !== "boolean") return violation("error-envelope", `${where}: retryable is not a boolean`);
    if (envelope.requestId !== exchange.requestId || exchange.responseRequestId !== exchange.requestId) {
      return violation("error-envelope", `${where}: requestId ${JSON.stringify(envelope.requestId)} / X-Request-Id ${JSON.stringify(exchange.responseRequestId)} do not echo the client's`);
    }
  }
  return null;
};

/** The longest a client may wait for response headers on this route under this epoch's config. */
export function waitBoundMs(exchange: ClientExchange, epoch: Epoch): number {
  const { config } = epoch;
  if (isV2(exchange)) return (1 + config.vpsRetries) * (config.vpsTimeoutMs + V2_BACKOFF_CAP_MS) + SLACK_MS;
  if (exchange.path.startsWith("/api/v1/ai/") || exchange.path === "/api/v1/auth/connect") {
    return (1 + config.providerRetries) * config.providerTimeoutMs + config.providerRetries * PROVIDER_RETRY_WAIT_MS + SLACK_MS;
  }
  return SLACK_MS;
}

/** No client waits longer than timeout × attempts + slack, and every request is answered. */
export const clientWaitBounded: Invariant = (trace) => {
  if (trace.stuck) return violation("client-wait", `step ${trace.stuck.step}: ${trace.stuck.pending.length} request(s) never got an answer (nothing left to wake them)`);
  for (const exchange of trace.exchanges) {
    const bound = waitBoundMs(exchange, epochOf(trace, exchange.epoch));
    const waited = exchange.headersAt - exchange.startedAt;
    if (waited > bound) return violation("client-wait", `${exchange.requestId} (${exchange.method} ${exchange.path}) waited ${waited} ms for headers; the bound is ${bound} ms`);
  }
  return null;
};

const STREAM_BREAKING_FAULTS = ["sse-truncate", "sse-stall", "reset"];

/** A started SSE stream is never cut by the Worker's timeout. */
export const sseNotCutByTimeout: Invariant = (trace) => {
  for (const exchange of trace.exchanges) {
    if (!exchange.sse || exchange.status !== 200) continue;
    const attempt = lastAttemptFor(trace, exchange.requestId);
    if (attempt?.faults.some((kind) => STREAM_BREAKING_FAULTS.includes(kind))) continue;
    if (!exchange.sse.complete || exchange.sse.error) {
      return violation("sse-not-cut", `${exchange.requestId} stream ended after ${exchange.sse.events} event(s) and ${exchange.endedAt - exchange.headersAt} ms without its end event (${exchange.sse.error ?? "closed early"}); the backend did not cut it`);
    }
  }
  return null;
};
