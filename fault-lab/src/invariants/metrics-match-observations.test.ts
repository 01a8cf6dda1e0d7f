import { describe, expect, it } from "vitest";
import { createMetrics, type MetricsSnapshot } from "../../../worker/src/metrics";
import type { Trace } from "../trace/trace";
import { attempt, exchange, FIXTURE_CONFIG, trace } from "../trace/trace-fixtures";
import { metricsMatchObservations } from "./metrics-match-observations";
import { VIRTUAL_CLOCK } from "./types";

const judge = (evidence: Trace) => metricsMatchObservations.check(evidence, VIRTUAL_CLOCK)[0] ?? null;

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
    expect(judge(trace({ ...observed, epochs }))?.message).toMatch(/vpsProxyUpstreamAttempts is 2 but the explorer observed 1/);
  });

  it("accepts counters equal to the observations", () => {
    const epochs = [{ index: 0, startedAt: 0, config: FIXTURE_CONFIG, metrics: snapshot({ requests: 1, vpsProxyUpstreamAttempts: 1 }) }];
    expect(judge(trace({ ...observed, epochs }))).toBeNull();
  });
});
