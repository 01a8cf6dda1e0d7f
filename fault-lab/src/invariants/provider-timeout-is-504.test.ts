import { describe, expect, it } from "vitest";
import type { AttemptRecord, Trace } from "../trace/trace";
import { FIXTURE_CONFIG, trace } from "../trace/trace-fixtures";
import { aiExchange, call, timeoutAnswer } from "./provider-attempt-fixtures";
import { providerTimeoutIs504 } from "./provider-timeout-is-504";
import { REAL_CLOCK, VIRTUAL_CLOCK } from "./types";

const judge = (evidence: Trace) => providerTimeoutIs504.check(evidence, VIRTUAL_CLOCK)[0] ?? null;

describe("provider-timeout", () => {
  it("accepts a hang cut at 12 s answered 504 provider_timeout with Retry-After 5, and a slow answer under 12 s", () => {
    const attempts = [call("a", 0, 12_000, "timeout"), call("b", 0, 11_000, "ok")];
    const exchanges = [aiExchange("a", { headersAt: 12_000, ...timeoutAnswer }), aiExchange("b", { headersAt: 11_000 })];
    expect(judge(trace({ attempts, exchanges }))).toBeNull();
  });

  it("flags a hang cut at another time than PROVIDER_TIMEOUT_MS", () => {
    expect(judge(trace({ attempts: [call("a", 0, 30_000, "timeout")] }))?.message).toMatch(/abandoned after 30000 ms/);
  });

  it("flags an answer still awaited past the timeout", () => {
    expect(judge(trace({ attempts: [call("a", 0, 13_000, "ok")] }))?.message).toMatch(/still waited for after 13000 ms/);
  });

  it("flags a timed-out request that is not answered 504 TIMEOUT provider_timeout with Retry-After 5", () => {
    const attempts = [call("a", 0, 12_000, "timeout")];
    expect(judge(trace({ attempts, exchanges: [aiExchange("a", { ...timeoutAnswer, retryAfter: null })] }))?.invariant).toBe("provider-timeout");
    expect(judge(trace({ attempts, exchanges: [aiExchange("a", { status: 200 })] }))?.invariant).toBe("provider-timeout");
  });

  it("flags provider_timeout when the last attempt did not time out", () => {
    const attempts = [call("a", 0, 12_000, "timeout"), call("a", 12_500, 12_500, "500")];
    expect(judge(trace({ attempts, exchanges: [aiExchange("a", timeoutAnswer)] }))?.message).toMatch(/last provider attempt was answered 500/);
  });

  it("tells requests with the same id in different steps apart", () => {
    const attempts = [call("a", 0, 12_000, "timeout"), call("a", 20_000, 20_000, "ok", { clientStep: 3 })];
    const exchanges = [aiExchange("a", timeoutAnswer), aiExchange("a", { step: 3, status: 200 })];
    expect(judge(trace({ attempts, exchanges }))).toBeNull();
  });
});

/** workerd: real milliseconds, 800 ms timeout; the fakes' log gives the end as `durationMs`, not `settledAt`. */
describe("provider-timeout on a real clock (workerd)", () => {
  const WORKERD = { ...FIXTURE_CONFIG, providerTimeoutMs: 800 };
  const onWorkerd = (fields: Partial<Trace>) => trace({ epochs: [{ index: 0, startedAt: 0, config: WORKERD, metrics: null }], ...fields });
  const real = (evidence: Trace) => providerTimeoutIs504.check(evidence, REAL_CLOCK)[0] ?? null;
  /** The attempt of issue 16's false positive: a hang the fake saw end after 819 ms, client gone. */
  const hung = (id: string, durationMs = 819, fields: Partial<AttemptRecord> = {}) => call(id, 0, 0, "timeout", { settledAt: undefined, durationMs, ...fields });

  it("attributes the attempt like in-process: a hang cut after 819 ms and answered 504 passes (it was 'never sent' before)", () => {
    const evidence = onWorkerd({ attempts: [hung("req-s2-0")], exchanges: [aiExchange("req-s2-0", { headersAt: 820, ...timeoutAnswer })] });
    expect(real(evidence)).toBeNull();
    // The same numbers on the virtual clock are off by 19 ms: there the cut must be exact.
    expect(judge(evidence)?.message).toMatch(/abandoned after 819 ms/);
  });

  it("still flags a cut far from PROVIDER_TIMEOUT_MS, and a timed-out request answered otherwise", () => {
    expect(real(onWorkerd({ attempts: [hung("a", 1_500)] }))?.message).toMatch(/abandoned after 1500 ms; PROVIDER_TIMEOUT_MS is 800 \(± 150 ms\)/);
    expect(real(onWorkerd({ attempts: [hung("a")], exchanges: [aiExchange("a", { status: 502 })] }))?.invariant).toBe("provider-timeout");
  });

  it("accepts either verdict for an answer that arrived within the slack of the timeout, and flags provider_timeout after a quick answer", () => {
    const answered = (ms: number) => call("a", 0, ms, "ok");
    expect(real(onWorkerd({ attempts: [answered(790)], exchanges: [aiExchange("a", timeoutAnswer)] }))).toBeNull();
    expect(real(onWorkerd({ attempts: [answered(300)], exchanges: [aiExchange("a", timeoutAnswer)] }))?.message).toMatch(/last provider attempt was answered 200/);
  });

  it("judges a burst as a whole: attribution by time may swap two identical requests' attempts", () => {
    // Seen with `--runtime workerd --runs 30 --seed 4242`: of 5 identical searches, the timed-out
    // attempt was given to req-s8-1 and the reset one to req-s8-2, which got the 504.
    const burst = (resetOutcome: "reset" | "answered") => [
      hung("req-s8-1"),
      call("req-s8-2", 0, 0, "ok", { settledAt: undefined, durationMs: 20, outcome: resetOutcome, status: null }),
    ];
    const exchanges = [aiExchange("req-s8-1", { status: 502 }), aiExchange("req-s8-2", { headersAt: 820, ...timeoutAnswer })];
    expect(real(onWorkerd({ attempts: burst("reset"), exchanges }))?.message ?? null).toBeNull();
    // No timed-out attempt in the burst for its 504: still flagged.
    const noTimeout = [call("req-s8-1", 0, 0, "ok", { settledAt: undefined, durationMs: 20, outcome: "reset", status: null }), burst("reset")[1]!];
    expect(real(onWorkerd({ attempts: noTimeout, exchanges }))?.message).toMatch(/req-s8-2 got provider_timeout but its last provider attempt was reset/);
    // On the virtual clock attempts are tagged, never guessed: the swap is a real finding there.
    expect(judge(onWorkerd({ attempts: burst("reset"), exchanges }))?.invariant).toBe("provider-timeout");
  });

  it("calls a request 'never sent' only when no provider attempt is left unattributed", () => {
    expect(real(onWorkerd({ exchanges: [aiExchange("a", timeoutAnswer)] }))?.message).toMatch(/never sent/);
    const unattributed = hung("a", 819, { clientRequestId: null, clientStep: null });
    expect(real(onWorkerd({ attempts: [unattributed], exchanges: [aiExchange("a", timeoutAnswer)] }))).toBeNull();
  });
});
