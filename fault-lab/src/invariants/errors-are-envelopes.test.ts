import { describe, expect, it } from "vitest";
import type { Trace } from "../trace/trace";
import { exchange, failure, trace } from "../trace/trace-fixtures";
import { errorsAreEnvelopes } from "./errors-are-envelopes";
import { VIRTUAL_CLOCK } from "./types";

const judge = (evidence: Trace) => errorsAreEnvelopes.check(evidence, VIRTUAL_CLOCK)[0] ?? null;

describe("error-envelope", () => {
  it("flags an error without the envelope", () => {
    expect(judge(trace({ exchanges: [exchange({ status: 503, envelopeProblem: "body is not JSON", envelope: null })] }))?.message).toMatch(/not JSON/);
  });

  it("flags an unknown cause and a 500", () => {
    expect(judge(trace({ exchanges: [failure("a", "upstream_melted")] }))?.message).toMatch(/unknown cause/);
    const internal = exchange({ status: 500, envelope: { code: "INTERNAL_ERROR", message: "x", retryable: false, cause: undefined, requestId: "req-s0-0" } });
    expect(judge(trace({ exchanges: [internal] }))?.message).toMatch(/500/);
  });

  it("accepts envelopes with known codes, a provider's own 5xx and backend 4xx passthrough", () => {
    const provider = exchange({ status: 500, path: "/api/v1/ai/analyze", envelope: { code: "PROVIDER_UNAVAILABLE", message: "x", retryable: true, cause: "provider_5xx", requestId: "req-s0-0" } });
    const passthrough = exchange({ requestId: "b", status: 404, envelope: { code: "NOT_FOUND", message: "backend", retryable: undefined, cause: undefined, requestId: undefined } });
    expect(judge(trace({ exchanges: [failure("req-s0-0", "timeout"), provider, passthrough] }))).toBeNull();
  });
});
