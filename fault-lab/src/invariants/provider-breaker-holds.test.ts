import { describe, expect, it } from "vitest";
import type { AttemptRecord, Trace } from "../trace/trace";
import { trace } from "../trace/trace-fixtures";
import { call } from "./provider-attempt-fixtures";
import { providerBreakerHolds } from "./provider-breaker-holds";
import { REAL_CLOCK, VIRTUAL_CLOCK } from "./types";

const judge = (evidence: Trace) => providerBreakerHolds.check(evidence, VIRTUAL_CLOCK)[0] ?? null;

const fiveFailures = (): AttemptRecord[] => [0, 1, 2, 3, 4].map((index) => call(`f${index}`, index * 100, index * 100 + 10, "500"));

describe("provider-breaker", () => {
  it("flags an attempt inside the 30 s window after 5 consecutive failed attempts", () => {
    const attempts = [...fiveFailures(), call("late", 10_000, 10_000, "ok")];
    expect(judge(trace({ attempts }))?.message).toMatch(/late \(gemini, t=10000\) went upstream 9590 ms after the provider circuit opened \(5 consecutive failed attempts\)/);
  });

  it("accepts one probe after the window, and flags a second one while it is in flight", () => {
    const probe = call("probe", 30_500, 30_600, "ok");
    expect(judge(trace({ attempts: [...fiveFailures(), probe] }))).toBeNull();
    const second = call("second", 30_550, 30_560, "ok");
    expect(judge(trace({ attempts: [...fiveFailures(), probe, second] }))?.message).toMatch(/while the half-open probe \(probe/);
  });

  it("does not flag when a success in the streak, or a same-instant success, may have reset it", () => {
    const broken = [call("f0", 0, 10, "500"), call("f1", 0, 10, "500"), call("ok", 0, 20, "ok"), call("f2", 0, 30, "500"), call("f3", 0, 30, "500"), call("f4", 0, 30, "500"), call("next", 1_000, 1_000, "ok")];
    expect(judge(trace({ attempts: broken }))).toBeNull();
    const tied = [...[0, 1, 2, 3, 4].map((index) => call(`f${index}`, 0, 0, "500")), call("ok", 0, 0, "ok"), call("next", 1_000, 1_000, "ok")];
    expect(judge(trace({ attempts: tied }))).toBeNull();
  });

  it("lets a caller in right after a probe that was answered at the same instant, and flags it while a slower probe is out", () => {
    const openThenProbe = (probeEnd: number) => [...fiveFailures(), call("probe", 31_000, probeEnd, "ok"), call("next", 31_000, 31_000, "ok")];
    expect(judge(trace({ attempts: openThenProbe(31_000) }))).toBeNull();
    expect(judge(trace({ attempts: openThenProbe(31_500) }))?.message).toMatch(/next .* while the half-open probe \(probe/);
  });

  it("never counts one key's own refusal (429/401/403), so a streak of them leaves the breaker closed", () => {
    const refused = [0, 1, 2, 3, 4, 5].map((index) => call(`q${index}`, index * 100, index * 100 + 10, "ok", { status: index % 2 === 0 ? 429 : 401 }));
    expect(judge(trace({ attempts: [...refused, call("next", 1_000, 1_000, "ok")] }))).toBeNull();
  });

  it("stops checking at the first Durable Object outage (per-isolate fallback breakers)", () => {
    const attempts = [...fiveFailures(), call("late", 10_000, 10_000, "ok")];
    const steps = [{ index: 0, t: 0, epoch: 0, kvDown: false, doDown: false, activeSecret: 0, prevSecret: null }, { index: 1, t: 5_000, epoch: 0, kvDown: false, doDown: true, activeSecret: 0, prevSecret: null }];
    expect(judge({ ...trace({ attempts }), steps })).toBeNull();
  });

  it("is judged on the virtual clock only (no slack for report/acquire order at the Durable Object)", () => {
    const evidence = trace({ attempts: [...fiveFailures(), call("late", 10_000, 10_000, "ok")] });
    expect(judge(evidence)?.invariant).toBe("provider-breaker");
    expect(providerBreakerHolds.check(evidence, REAL_CLOCK)).toEqual([]);
  });
});
