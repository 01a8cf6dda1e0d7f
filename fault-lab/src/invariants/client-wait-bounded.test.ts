import { describe, expect, it } from "vitest";
import type { Trace } from "../trace/trace";
import { exchange, trace } from "../trace/trace-fixtures";
import { clientWaitBounded } from "./client-wait-bounded";
import { VIRTUAL_CLOCK } from "./types";

const judge = (evidence: Trace) => clientWaitBounded.check(evidence, VIRTUAL_CLOCK)[0] ?? null;

describe("client-wait", () => {
  it("flags a client that waited past timeout × attempts + slack, and a request never answered", () => {
    expect(judge(trace({ exchanges: [exchange({ startedAt: 0, headersAt: 20_000 })] }))?.message).toMatch(/waited 20000 ms/);
    expect(judge(trace({ stuck: { step: 2, pending: ["0"] } }))?.message).toMatch(/never got an answer/);
  });

  it("accepts two timed-out attempts with backoff", () => {
    expect(judge(trace({ exchanges: [exchange({ startedAt: 0, headersAt: 14_500 })] }))).toBeNull();
  });
});
