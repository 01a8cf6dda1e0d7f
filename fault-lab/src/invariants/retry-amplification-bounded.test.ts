import { describe, expect, it } from "vitest";
import { hashKey } from "../src/fakes/ai-answers";
import { createMetrics, type MetricsSnapshot } from "../../worker/src/metrics";
import { INVARIANTS } from "./checks";
import {
  clientWaitBounded,
  errorsAreEnvelopes,
  retryAfterMatchesTimeLeft,
  retryAmplificationBounded,
  singleProbePerHalfOpenWindow,
  sseNotCutByTimeout,
} from "./invariants";
import { metricsMatchObservations, noSecretLeaks, sessionsSurviveRotation } from "./invariants-state";
import { attempt, exchange, failure, FIXTURE_CONFIG, trace } from "./trace-fixtures";
import type { CircuitSample, StepRecord } from "./trace";

const sample = (kind: CircuitSample["kind"], t: number, state: CircuitSample["state"], requestId = "r"): CircuitSample => ({ kind, t, epoch: 0, requestId, state });

describe("single-probe", () => {
  it("flags a second backend request inside one half-open window", () => {
    const circuitLog = [sample("attempt", 20_000, "half-open", "a"), sample("attempt", 20_000, "half-open", "b"), sample("response", 20_010, "closed", "a")];
    expect(singleProbePerHalfOpenWindow(trace({ circuitLog }))?.invariant).toBe("single-probe");
  });

  it("accepts one probe per window, windows separated by a re-open", () => {
    const circuitLog = [sample("attempt", 20_000, "half-open", "a"), sample("response", 20_010, "open", "a"), sample("attempt", 40_010, "half-open", "b"), sample("response", 40_020, "closed", "b")];
    expect(singleProbePerHalfOpenWindow(trace({ circuitLog }))).toBeNull();
  });

  it("accepts a new probe once the last one's attempt ended without a verdict (its client's budget ran out), not before", () => {
    const circuitLog = [sample("attempt", 20_000, "half-open", "a"), sample("response", 21_000, "half-open", "a"), sample("attempt", 21_000, "half-open", "b")];
    const probeCut = (settledAt: number) => [attempt({ seq: 1, t: 20_000, requestId: "a", status: null, outcome: "client-gone", settledAt }), attempt({ seq: 2, t: 21_000, requestId: "b", settledAt: 21_000 })];
    expect(singleProbePerHalfOpenWindow(trace({ circuitLog, attempts: probeCut(21_000) }))).toBeNull();
    expect(singleProbePerHalfOpenWindow(trace({ circuitLog, attempts: probeCut(23_000) }))?.invariant).toBe("single-probe");
  });
});

describe("retry-amplification", () => {
  it("flags more attempts per request than VPS_PROXY_RETRIES allows", () => {
    const attempts = [1, 2, 3].map((seq) => attempt({ seq, requestId: "a", status: 503 }));
    expect(retryAmplificationBounded(trace({ attempts }))?.message).toMatch(/3 backend attempts/);
  });

  it("flags retries beyond 20 % + the per-window floor under a dead backend", () => {
    const attempts = Array.from({ length: 20 }, (_, index) => [attempt({ seq: index * 2, requestId: `r${index}`, status: 503 }), attempt({ seq: index * 2 + 1, requestId: `r${index}`, status: 503 })]).flat();
    expect(retryAmplificationBounded(trace({ attempts }))?.message).toMatch(/20 requests made 40 backend attempts/);
  });

  it("accepts retries within the budget", () => {
    const attempts = [...Array.from({ length: 20 }, (_, index) => attempt({ seq: index, requestId: `r${index}`, status: 503 })), ...[0, 1, 2, 3].map((index) => attempt({ seq: 100 + index, requestId: `r${index}` }))];
    expect(retryAmplificationBounded(trace({ attempts }))).toBeNull();
  });
});

describe("retry-after", () => {
  it("flags a retryable 503 without an integer Retry-After", () => {
    expect(retryAfterMatchesTimeLeft(trace({ exchanges: [failure("a", "upstream_5xx", { retryAfter: "1.5" })] }))?.invariant).toBe("retry-after");
  });

  it("flags a circuit_open Retry-After that is off by more than a second", () => {
    const rejected = failure("a", "circuit_open", { retryAfter: "20", circuit: { state: "open", open: true, openUntil: 30_000, remainingMs: 12_000 } });
    expect(retryAfterMatchesTimeLeft(trace({ exchanges: [rejected] }))?.message).toMatch(/time left is 12 s/);
  });

  it("accepts the remaining window and the upstream's own Retry-After", () => {
    const rejected = failure("a", "circuit_open", { retryAfter: "12", circuit: { state: "open", open: true, openUntil: 30_000, remainingMs: 11_200 } });
    const upstream = failure("b", "upstream_5xx", { retryAfter: "7" });
    const attempts = [attempt({ requestId: "b", status: 503, retryAfterSec: 7 })];
    expect(retryAfterMatchesTimeLeft(trace({ exchanges: [rejected, upstream], attempts }))).toBeNull();
  });
});

describe("error-envelope", () => {
  it("flags an error without the envelope", () => {
    expect(errorsAreEnvelopes(trace({ exchanges: [exchange({ status: 503, envelopeProblem: "body is not JSON", envelope: null })] }))?.message).toMatch(/not JSON/);
  });

  it("flags an unknown cause and a 500", () => {
    expect(errorsAreEnvelopes(trace({ exchanges: [failure("a", "upstream_melted")] }))?.message).toMatch(/unknown cause/);
    const internal = exchange({ status: 500, envelope: { code: "INTERNAL_ERROR", message: "x", retryable: false, cause: undefined, requestId: "req-s0-0" } });
    expect(errorsAreEnvelopes(trace({ exchanges: [internal] }))?.message).toMatch(/500/);
  });

  it("accepts envelopes with known codes, a provider's own 5xx and backend 4xx passthrough", () => {
    const provider = exchange({ status: 500, path: "/api/v1/ai/analyze", envelope: { code: "PROVIDER_UNAVAILABLE", message: "x", retryable: true, cause: "provider_5xx", requestId: "req-s0-0" } });
    const passthrough = exchange({ requestId: "b", status: 404, envelope: { code: "NOT_FOUND", message: "backend", retryable: undefined, cause: undefined, requestId: undefined } });
    expect(errorsAreEnvelopes(trace({ exchanges: [failure("req-s0-0", "timeout"), provider, passthrough] }))).toBeNull();
  });
});

describe("client-wait", () => {
  it("flags a client that waited past timeout × attempts + slack, and a request never answered", () => {
    expect(clientWaitBounded(trace({ exchanges: [exchange({ startedAt: 0, headersAt: 20_000 })] }))?.message).toMatch(/waited 20000 ms/);
    expect(clientWaitBounded(trace({ stuck: { step: 2, pending: ["0"] } }))?.message).toMatch(/never got an answer/);
  });

  it("accepts two timed-out attempts with backoff", () => {
    expect(clientWaitBounded(trace({ exchanges: [exchange({ startedAt: 0, headersAt: 14_500 })] }))).toBeNull();
  });
});

describe("sse-not-cut", () => {
  const stream = (sse: { events: number; complete: boolean; error: string | null }) => exchange({ path: "/api/v2/events?events=4&intervalMs=3000", contentType: "text/event-stream", sse, headersAt: 0, endedAt: 7000 });

  it("flags a stream cut without a backend fault", () => {
    expect(sseNotCutByTimeout(trace({ exchanges: [stream({ events: 2, complete: false, error: "TimeoutError" })], attempts: [attempt()] }))?.invariant).toBe("sse-not-cut");
  });

  it("accepts complete streams and streams the backend itself cut", () => {
    const cutByBackend = trace({ exchanges: [stream({ events: 1, complete: false, error: "TypeError" })], attempts: [attempt({ faults: ["sse-truncate"] })] });
    expect(sseNotCutByTimeout(cutByBackend)).toBeNull();
    expect(sseNotCutByTimeout(trace({ exchanges: [stream({ events: 4, complete: true, error: null })] }))).toBeNull();
  });
});

describe("sessions-survive-rotation", () => {
  const steps = [{ do: "connect", provider: "gemini", key: "k", as: "u1" }, { do: "rotateSecret" }, { do: "request", label: "s2", path: "/api/v1/auth/status", as: "u1" }] as const;
  const records = (prevSecret: number | null): StepRecord[] => [
    { index: 0, t: 0, epoch: 0, kvDown: false, doDown: false, activeSecret: 0, prevSecret: null },
    { index: 1, t: 0, epoch: 0, kvDown: false, doDown: false, activeSecret: 0, prevSecret: null },
    { index: 2, t: 0, epoch: 1, kvDown: false, doDown: false, activeSecret: 1, prevSecret },
  ];
  const exchanges = (connected: boolean) => [exchange({ step: 0, path: "/api/v1/auth/connect", method: "POST" }), exchange({ step: 2, path: "/api/v1/auth/status", jar: "u1", connected })];

  it("flags a session lost while its secret is still PREV", () => {
    expect(sessionsSurviveRotation({ ...trace({ exchanges: exchanges(false) }, [...steps]), steps: records(0) })?.invariant).toBe("sessions-survive-rotation");
  });

  it("accepts the session surviving, and its loss once PREV was removed", () => {
    expect(sessionsSurviveRotation({ ...trace({ exchanges: exchanges(true) }, [...steps]), steps: records(0) })).toBeNull();
    expect(sessionsSurviveRotation({ ...trace({ exchanges: exchanges(false) }, [...steps]), steps: records(null) })).toBeNull();
  });

  it("lets a session go whose key the provider itself refused (401/403), and only that one", () => {
    const refused = (keyHash: string) => [attempt({ seq: 1, server: "gemini", route: "/v1beta/models/gemini-2.5-flash:generateContent", status: 403, keyHash })];
    expect(sessionsSurviveRotation({ ...trace({ exchanges: exchanges(false), attempts: refused(hashKey("k")) }, [...steps]), steps: records(0) })).toBeNull();
    expect(sessionsSurviveRotation({ ...trace({ exchanges: exchanges(false), attempts: refused(hashKey("other")) }, [...steps]), steps: records(0) })?.invariant).toBe("sessions-survive-rotation");
  });
});

describe("metrics-match", () => {
  const snapshot = (changes: Partial<MetricsSnapshot["metrics"]>): MetricsSnapshot => {
    const zero = createMetrics(0);
    return {
      metrics: { ...zero.metrics, ...changes },
      failureCauses: { upstream: zero.upstream, provider: zero.provider },
      reliability: { authConfig: zero.authConfig, runtimeConfig: zero.runtimeConfig, secretRotation: zero.secretRotation, kvFailures: 0 },
      vpsProxyCircuit: { state: "closed", open: false, openUntil: 0, remainingMs: 0 },
      uptimeMs: 0,
    };
  };
  const observed = { exchanges: [exchange()], attempts: [attempt()] };

  it("flags a counter that disagrees with what was observed", () => {
    const epochs = [{ index: 0, startedAt: 0, config: FIXTURE_CONFIG, metrics: snapshot({ requests: 1, vpsProxyUpstreamAttempts: 2 }) }];
    expect(metricsMatchObservations(trace({ ...observed, epochs }))?.message).toMatch(/vpsProxyUpstreamAttempts is 2 but the explorer observed 1/);
  });

  it("accepts counters equal to the observations", () => {
    const epochs = [{ index: 0, startedAt: 0, config: FIXTURE_CONFIG, metrics: snapshot({ requests: 1, vpsProxyUpstreamAttempts: 1 }) }];
    expect(metricsMatchObservations(trace({ ...observed, epochs }))).toBeNull();
  });
});

describe("no-secret-leak", () => {
  const secret = "AIzaSyExplorer-secret-key-000";

  it("flags a key in a response or a log line, without printing it", () => {
    const leak = noSecretLeaks(trace({ secrets: [secret], logs: [`{"event":"x","key":"${secret}"}`] }));
    expect(leak?.invariant).toBe("no-secret-leak");
    expect(leak?.message).not.toContain(secret);
    expect(noSecretLeaks(trace({ secrets: [secret], wire: [`x-debug: ${secret}`] }))?.message).toMatch(/response #0/);
  });

  it("accepts responses and logs without the key", () => {
    expect(noSecretLeaks(trace({ secrets: [secret], wire: ["content-type: application/json"], logs: ['{"event":"ok"}'] }))).toBeNull();
  });
});

it("lists every invariant by a unique name", () => {
  expect(Object.keys(INVARIANTS)).toEqual(["single-probe", "retry-amplification", "retry-after", "error-envelope", "client-wait", "sse-not-cut", "provider-timeout", "provider-breaker", "sessions-survive-rotation", "metrics-match", "no-secret-leak"]);
});
