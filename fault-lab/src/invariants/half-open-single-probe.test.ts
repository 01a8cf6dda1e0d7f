import { describe, expect, it } from "vitest";
import type { CircuitSample, Trace } from "../trace/trace";
import { attempt, trace } from "../trace/trace-fixtures";
import { halfOpenSingleProbe } from "./half-open-single-probe";
import { VIRTUAL_CLOCK } from "./types";

const judge = (evidence: Trace) => halfOpenSingleProbe.check(evidence, VIRTUAL_CLOCK)[0] ?? null;
const sample = (kind: CircuitSample["kind"], t: number, state: CircuitSample["state"], requestId = "r"): CircuitSample => ({ kind, t, epoch: 0, requestId, state });

describe("single-probe", () => {
  it("flags a second backend request inside one half-open window", () => {
    const circuitLog = [sample("attempt", 20_000, "half-open", "a"), sample("attempt", 20_000, "half-open", "b"), sample("response", 20_010, "closed", "a")];
    expect(judge(trace({ circuitLog }))?.invariant).toBe("single-probe");
  });

  it("accepts one probe per window, windows separated by a re-open", () => {
    const circuitLog = [sample("attempt", 20_000, "half-open", "a"), sample("response", 20_010, "open", "a"), sample("attempt", 40_010, "half-open", "b"), sample("response", 40_020, "closed", "b")];
    expect(judge(trace({ circuitLog }))).toBeNull();
  });

  it("accepts a new probe once the last one's attempt ended without a verdict (its client's budget ran out), not before", () => {
    const circuitLog = [sample("attempt", 20_000, "half-open", "a"), sample("response", 21_000, "half-open", "a"), sample("attempt", 21_000, "half-open", "b")];
    const probeCut = (settledAt: number) => [attempt({ seq: 1, t: 20_000, requestId: "a", status: null, outcome: "client-gone", settledAt }), attempt({ seq: 2, t: 21_000, requestId: "b", settledAt: 21_000 })];
    expect(judge(trace({ circuitLog, attempts: probeCut(21_000) }))).toBeNull();
    expect(judge(trace({ circuitLog, attempts: probeCut(23_000) }))?.invariant).toBe("single-probe");
  });
});
