import { describe, expect, it } from "vitest";
import { providerBreakerHolds, providerTimeoutsAre504 } from "./invariants-provider";
import type { AttemptRecord, ClientExchange } from "./trace";
import { attempt, exchange, trace } from "./trace-fixtures";

let seq = 0;
/** A gemini attempt of client request `id` (step 0) from `t` to `settledAt`. */
const call = (id: string, t: number, settledAt: number, result: "ok" | "500" | "timeout", fields: Partial<AttemptRecord> = {}): AttemptRecord =>
  attempt({
    seq: (seq += 1),
    server: "gemini",
    route: "/v1beta/models/gemini-2.5-flash:generateContent",
    requestId: null,
    clientRequestId: id,
    clientStep: 0,
    t,
    settledAt,
    status: result === "ok" ? 200 : result === "500" ? 500 : null,
    outcome: result === "timeout" ? "client-gone" : "answered",
    ...fields,
  });

const aiExchange = (requestId: string, fields: Partial<ClientExchange>): ClientExchange => exchange({ requestId, method: "POST", path: "/api/v1/ai/analyze", ...fields });
const timeoutAnswer = { status: 504, retryAfter: "5", envelope: { code: "TIMEOUT", message: "late", retryable: true, cause: "provider_timeout", requestId: "a" } };

describe("provider-timeout", () => {
  it("accepts a hang cut at 12 s answered 504 provider_timeout with Retry-After 5, and a slow answer under 12 s", () => {
    const attempts = [call("a", 0, 12_000, "timeout"), call("b", 0, 11_000, "ok")];
    const exchanges = [aiExchange("a", { headersAt: 12_000, ...timeoutAnswer }), aiExchange("b", { headersAt: 11_000 })];
    expect(providerTimeoutsAre504(trace({ attempts, exchanges }))).toBeNull();
  });

  it("flags a hang cut at another time than PROVIDER_TIMEOUT_MS", () => {
    expect(providerTimeoutsAre504(trace({ attempts: [call("a", 0, 30_000, "timeout")] }))?.message).toMatch(/abandoned after 30000 ms/);
  });

  it("flags an answer still awaited past the timeout", () => {
    expect(providerTimeoutsAre504(trace({ attempts: [call("a", 0, 13_000, "ok")] }))?.message).toMatch(/still waited for after 13000 ms/);
  });

  it("flags a timed-out request that is not answered 504 TIMEOUT provider_timeout with Retry-After 5", () => {
    const attempts = [call("a", 0, 12_000, "timeout")];
    expect(providerTimeoutsAre504(trace({ attempts, exchanges: [aiExchange("a", { ...timeoutAnswer, retryAfter: null })] }))?.invariant).toBe("provider-timeout");
    expect(providerTimeoutsAre504(trace({ attempts, exchanges: [aiExchange("a", { status: 200 })] }))?.invariant).toBe("provider-timeout");
  });

  it("flags provider_timeout when the last attempt did not time out", () => {
    const attempts = [call("a", 0, 12_000, "timeout"), call("a", 12_500, 12_500, "500")];
    expect(providerTimeoutsAre504(trace({ attempts, exchanges: [aiExchange("a", timeoutAnswer)] }))?.message).toMatch(/last provider attempt was answered 500/);
  });

  it("tells requests with the same id in different steps apart", () => {
    const attempts = [call("a", 0, 12_000, "timeout"), call("a", 20_000, 20_000, "ok", { clientStep: 3 })];
    const exchanges = [aiExchange("a", timeoutAnswer), aiExchange("a", { step: 3, status: 200 })];
    expect(providerTimeoutsAre504(trace({ attempts, exchanges }))).toBeNull();
  });
});

const fiveFailures = (): AttemptRecord[] => [0, 1, 2, 3, 4].map((index) => call(`f${index}`, index * 100, index * 100 + 10, "500"));

describe("provider-breaker", () => {
  it("flags an attempt inside the 30 s window after 5 consecutive failed attempts", () => {
    const attempts = [...fiveFailures(), call("late", 10_000, 10_000, "ok")];
    expect(providerBreakerHolds(trace({ attempts }))?.message).toMatch(/late \(gemini, t=10000\) went upstream 9590 ms after the provider circuit opened \(5 consecutive failed attempts\)/);
  });

  it("accepts one probe after the window, and flags a second one while it is in flight", () => {
    const probe = call("probe", 30_500, 30_600, "ok");
    expect(providerBreakerHolds(trace({ attempts: [...fiveFailures(), probe] }))).toBeNull();
    const second = call("second", 30_550, 30_560, "ok");
    expect(providerBreakerHolds(trace({ attempts: [...fiveFailures(), probe, second] }))?.message).toMatch(/while the half-open probe \(probe/);
  });

  it("does not flag when a success in the streak, or a same-instant success, may have reset it", () => {
    const broken = [call("f0", 0, 10, "500"), call("f1", 0, 10, "500"), call("ok", 0, 20, "ok"), call("f2", 0, 30, "500"), call("f3", 0, 30, "500"), call("f4", 0, 30, "500"), call("next", 1_000, 1_000, "ok")];
    expect(providerBreakerHolds(trace({ attempts: broken }))).toBeNull();
    const tied = [...[0, 1, 2, 3, 4].map((index) => call(`f${index}`, 0, 0, "500")), call("ok", 0, 0, "ok"), call("next", 1_000, 1_000, "ok")];
    expect(providerBreakerHolds(trace({ attempts: tied }))).toBeNull();
  });

  it("lets a caller in right after a probe that was answered at the same instant, and flags it while a slower probe is out", () => {
    const openThenProbe = (probeEnd: number) => [...fiveFailures(), call("probe", 31_000, probeEnd, "ok"), call("next", 31_000, 31_000, "ok")];
    expect(providerBreakerHolds(trace({ attempts: openThenProbe(31_000) }))).toBeNull();
    expect(providerBreakerHolds(trace({ attempts: openThenProbe(31_500) }))?.message).toMatch(/next .* while the half-open probe \(probe/);
  });

  it("never counts one key's own refusal (429/401/403), so a streak of them leaves the breaker closed", () => {
    const refused = [0, 1, 2, 3, 4, 5].map((index) => call(`q${index}`, index * 100, index * 100 + 10, "ok", { status: index % 2 === 0 ? 429 : 401 }));
    expect(providerBreakerHolds(trace({ attempts: [...refused, call("next", 1_000, 1_000, "ok")] }))).toBeNull();
  });

  it("stops checking at the first Durable Object outage (per-isolate fallback breakers)", () => {
    const attempts = [...fiveFailures(), call("late", 10_000, 10_000, "ok")];
    const steps = [{ index: 0, t: 0, epoch: 0, kvDown: false, doDown: false, activeSecret: 0, prevSecret: null }, { index: 1, t: 5_000, epoch: 0, kvDown: false, doDown: true, activeSecret: 0, prevSecret: null }];
    expect(providerBreakerHolds({ ...trace({ attempts }), steps })).toBeNull();
  });
});
