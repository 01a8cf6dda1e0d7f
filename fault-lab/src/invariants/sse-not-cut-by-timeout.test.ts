import { describe, expect, it } from "vitest";
import type { Trace } from "../trace/trace";
import { attempt, exchange, trace } from "../trace/trace-fixtures";
import { sseNotCutByTimeout } from "./sse-not-cut-by-timeout";
import { VIRTUAL_CLOCK } from "./types";

const judge = (evidence: Trace) => sseNotCutByTimeout.check(evidence, VIRTUAL_CLOCK)[0] ?? null;

describe("sse-not-cut", () => {
  const stream = (sse: { events: number; complete: boolean; error: string | null }) => exchange({ path: "/api/v2/events?events=4&intervalMs=3000", contentType: "text/event-stream", sse, headersAt: 0, endedAt: 7000 });

  it("flags a stream cut without a backend fault", () => {
    expect(judge(trace({ exchanges: [stream({ events: 2, complete: false, error: "TimeoutError" })], attempts: [attempt()] }))?.invariant).toBe("sse-not-cut");
  });

  it("accepts complete streams and streams the backend itself cut", () => {
    const cutByBackend = trace({ exchanges: [stream({ events: 1, complete: false, error: "TypeError" })], attempts: [attempt({ faults: ["sse-truncate"] })] });
    expect(judge(cutByBackend)).toBeNull();
    expect(judge(trace({ exchanges: [stream({ events: 4, complete: true, error: null })] }))).toBeNull();
  });
});
