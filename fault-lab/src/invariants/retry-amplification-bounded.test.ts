import { describe, expect, it } from "vitest";
import type { Trace } from "../trace/trace";
import { attempt, trace } from "../trace/trace-fixtures";
import { retryAmplificationBounded } from "./retry-amplification-bounded";
import { VIRTUAL_CLOCK } from "./types";

const judge = (evidence: Trace) => retryAmplificationBounded.check(evidence, VIRTUAL_CLOCK)[0] ?? null;

describe("retry-amplification", () => {
  it("flags more attempts per request than VPS_PROXY_RETRIES allows", () => {
    const attempts = [1, 2, 3].map((seq) => attempt({ seq, requestId: "a", status: 503 }));
    expect(judge(trace({ attempts }))?.message).toMatch(/3 backend attempts/);
  });

  it("flags retries beyond 20 % + the per-window floor under a dead backend", () => {
    const attempts = Array.from({ length: 20 }, (_, index) => [attempt({ seq: index * 2, requestId: `r${index}`, status: 503 }), attempt({ seq: index * 2 + 1, requestId: `r${index}`, status: 503 })]).flat();
    expect(judge(trace({ attempts }))?.message).toMatch(/20 requests made 40 backend attempts/);
  });

  it("accepts retries within the budget", () => {
    const attempts = [...Array.from({ length: 20 }, (_, index) => attempt({ seq: index, requestId: `r${index}`, status: 503 })), ...[0, 1, 2, 3].map((index) => attempt({ seq: 100 + index, requestId: `r${index}` }))];
    expect(judge(trace({ attempts }))).toBeNull();
  });
});
