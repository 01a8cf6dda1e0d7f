import { describe, expect, it } from "vitest";
import type { ClientExchange, Trace } from "../trace/trace";
import { attempt, exchange, failure, trace } from "../trace/trace-fixtures";
import { HOSTILE_RAW_JAR } from "../hostile-client";
import { isolationHonestAnswers } from "./isolation-honest-answers";
import { VIRTUAL_CLOCK } from "./types";

const isolationHolds = (run: Trace, twin: Trace) => isolationHonestAnswers.check({ run, twin }, VIRTUAL_CLOCK)[0] ?? null;

const honest = (requestId: string, step: number, fields: Partial<ClientExchange> = {}): ClientExchange => exchange({ requestId, step, label: `s${step}`, ...fields });
const upstream = (requestId: string, step: number, seq: number) => attempt({ seq, requestId, clientRequestId: requestId, clientStep: step });
const hostile = exchange({ requestId: "req-s0-0", step: 0, jar: HOSTILE_RAW_JAR, status: 503 });

describe("isolation", () => {
  it("flags an honest answer that differs beside the hostile client", () => {
    const run = trace({ exchanges: [hostile, failure("req-s1-0", "circuit_open", { step: 1 })] });
    const twin = trace({ exchanges: [honest("req-s1-0", 1)], attempts: [upstream("req-s1-0", 1, 1)] });
    expect(isolationHolds(run, twin)?.message).toMatch(/honest GET \/api\/v2\/sync\/pull \(step 2, req-s1-0\) got 503 SERVICE_UNAVAILABLE\/circuit_open after 0 upstream attempt\(s\) beside the hostile client, 200 after 1 upstream attempt\(s\) without it/);
  });

  it("flags fewer upstream attempts for the same status (a retry cut short by the attacker)", () => {
    const run = trace({ exchanges: [honest("req-s1-0", 1)], attempts: [upstream("req-s1-0", 1, 1)] });
    const twin = trace({ exchanges: [honest("req-s1-0", 1)], attempts: [upstream("req-s1-0", 1, 1), upstream("req-s1-0", 1, 2)] });
    expect(isolationHolds(run, twin)?.invariant).toBe("isolation");
  });

  it("ignores the attacker's own answers and passes when every honest answer is the same", () => {
    const answers = [honest("req-s1-0", 1), failure("req-s2-0", "upstream_5xx", { step: 2 })];
    const attempts = [upstream("req-s1-0", 1, 1), upstream("req-s2-0", 2, 2)];
    expect(isolationHolds(trace({ exchanges: [hostile, ...answers], attempts }), trace({ exchanges: answers, attempts }))).toBeNull();
  });

  it("stops comparing, passing, where an honest request got MORE attempts beside the attacker (its requests fund the shared retry budget)", () => {
    const run = trace({ exchanges: [honest("req-s1-0", 1), failure("req-s2-0", "circuit_open", { step: 2 })], attempts: [upstream("req-s1-0", 1, 1), upstream("req-s1-0", 1, 2)] });
    const twin = trace({ exchanges: [failure("req-s1-0", "upstream_5xx", { step: 1 }), honest("req-s2-0", 2)], attempts: [upstream("req-s1-0", 1, 1), upstream("req-s2-0", 2, 2)] });
    expect(isolationHolds(run, twin)).toBeNull();
  });
});
