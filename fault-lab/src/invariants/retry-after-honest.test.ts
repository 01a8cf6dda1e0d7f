import { describe, expect, it } from "vitest";
import type { Trace } from "../trace/trace";
import { attempt, failure, trace } from "../trace/trace-fixtures";
import { retryAfterHonest } from "./retry-after-honest";
import { VIRTUAL_CLOCK } from "./types";

const judge = (evidence: Trace) => retryAfterHonest.check(evidence, VIRTUAL_CLOCK)[0] ?? null;

describe("retry-after", () => {
  it("flags a retryable 503 without an integer Retry-After", () => {
    expect(judge(trace({ exchanges: [failure("a", "upstream_5xx", { retryAfter: "1.5" })] }))?.invariant).toBe("retry-after");
  });

  it("flags a circuit_open Retry-After that is off by more than a second", () => {
    const rejected = failure("a", "circuit_open", { retryAfter: "20", circuit: { state: "open", open: true, openUntil: 30_000, remainingMs: 12_000 } });
    expect(judge(trace({ exchanges: [rejected] }))?.message).toMatch(/time left is 12 s/);
  });

  it("accepts the remaining window and the upstream's own Retry-After", () => {
    const rejected = failure("a", "circuit_open", { retryAfter: "12", circuit: { state: "open", open: true, openUntil: 30_000, remainingMs: 11_200 } });
    const upstream = failure("b", "upstream_5xx", { retryAfter: "7" });
    const attempts = [attempt({ requestId: "b", status: 503, retryAfterSec: 7 })];
    expect(judge(trace({ exchanges: [rejected, upstream], attempts }))).toBeNull();
  });
});
