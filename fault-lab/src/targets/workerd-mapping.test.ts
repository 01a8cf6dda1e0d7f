import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scheduleArbitrary } from "../explorer/arbitraries";
import { validateStep } from "../steps/validate";
import { MAX_GAP_WINDOWS, retryAfterSeconds, streamLimitMs, scaleFault, scalePath, scaleWait, WORKERD_SCALE, type TimeScale } from "./workerd-mapping";

const ONE_SECOND: TimeScale = { vpsTimeoutMs: 1_000, vpsOpenMs: 1_000, providerTimeoutMs: 800 };

describe("schedule steps on workerd (1 s windows)", () => {
  it("keeps a gap's position relative to the open window and caps the long ones", () => {
    expect([500, 5_000, 19_000, 20_000, 21_000, 60_000].map((ms) => scaleWait(ms, ONE_SECOND))).toEqual([25, 250, 950, 1_000, 1_050, 1_100]);
    expect(scaleWait(20_000)).toBe(WORKERD_SCALE.vpsOpenMs);
  });

  it("scales an SSE interval to the v2 timeout, so a stream that outlived 7 s still outlives 1 s", () => {
    expect(scalePath("/api/v2/events?events=4&intervalMs=3000", ONE_SECOND)).toBe("/api/v2/events?events=4&intervalMs=429");
    expect(4 * 429).toBeGreaterThan(ONE_SECOND.vpsTimeoutMs);
    expect(scalePath("/api/v2/sync/pull")).toBe("/api/v2/sync/pull");
  });

  it("gives a client the stream's own length plus 1 s before it gives up on an SSE answer", () => {
    expect(streamLimitMs("/api/v2/events?events=4&intervalMs=429")).toBe(4 * 429 + 1_000);
    expect(streamLimitMs("/api/v2/events")).toBe(3 * 100 + 1_000);
  });

  it("scales hang and latency to the server's timeout and keeps the other fault fields", () => {
    expect(scaleFault({ kind: "hang", ms: 9_000, times: 1, probability: 0.5 }, "backend", ONE_SECOND)).toEqual({ kind: "hang", ms: 1_286, times: 1, probability: 0.5 });
    expect(scaleFault({ kind: "hang" }, "backend")).toEqual({ kind: "hang" });
    expect(scaleFault({ kind: "latency", ms: 6_000 }, "gemini", ONE_SECOND)).toEqual({ kind: "latency", ms: 400 });
    expect(scaleFault({ kind: "status", status: 503, retryAfter: 30 }, "backend")).toEqual({ kind: "status", status: 503, retryAfter: 30 });
  });

  it("shortens a provider Retry-After the Worker would sleep for, and keeps one it refuses to honour above 10 s", () => {
    expect(scaleFault({ kind: "status", status: 429, retryAfter: 7 }, "openrouter")).toEqual({ kind: "status", status: 429, retryAfter: 1 });
    expect(scaleFault({ kind: "status", status: 429, retryAfter: 25 }, "gemini")).toEqual({ kind: "status", status: 429, retryAfter: 11 });
  });

  it("keeps every generated step valid once its times are scaled, and every gap under the cap", () => {
    fc.assert(
      fc.property(scheduleArbitrary(), (schedule) => {
        for (const [index, step] of schedule.steps.entries()) {
          const scaled =
            step.do === "setFaults" ? { ...step, faults: step.faults.map((fault) => scaleFault(fault, step.server)) } : step.do === "request" ? { ...step, path: scalePath(step.path) } : step.do === "wait" ? { ...step, ms: scaleWait(step.ms) } : step;
          expect(validateStep(`steps[${index}]`, scaled).ok).toBe(true);
          if (scaled.do === "wait") expect(scaled.ms).toBeLessThanOrEqual(WORKERD_SCALE.vpsOpenMs * MAX_GAP_WINDOWS);
        }
      }),
      { seed: 3, numRuns: 200 },
    );
  });

  it("reads Retry-After as seconds or as an HTTP-date's offset", () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0, 400);
    expect(retryAfterSeconds("12", now)).toBe(12);
    expect(retryAfterSeconds(new Date(now + 7_000).toUTCString(), now)).toBe(7);
    expect(retryAfterSeconds("soon", now)).toBeNull();
    expect(retryAfterSeconds(undefined, now)).toBeNull();
  });
});
