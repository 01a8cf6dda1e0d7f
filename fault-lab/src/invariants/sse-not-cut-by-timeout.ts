import { firstOnly } from "./types";
import { lastAttemptFor } from "./trace-queries";

const STREAM_BREAKING_FAULTS = ["sse-truncate", "sse-stall", "reset"];

/** A started SSE stream the backend did not break reaches its end event: the Worker's timeout never cuts it. */
export const sseNotCutByTimeout = firstOnly("sse-not-cut", "a started SSE stream is never cut by the Worker's timeout", (trace) => {
  for (const exchange of trace.exchanges) {
    if (!exchange.sse || exchange.status !== 200) continue;
    const attempt = lastAttemptFor(trace, exchange.requestId);
    if (attempt?.faults.some((kind) => STREAM_BREAKING_FAULTS.includes(kind))) continue;
    if (!exchange.sse.complete || exchange.sse.error) {
      return `${exchange.requestId} stream ended after ${exchange.sse.events} event(s) and ${exchange.endedAt - exchange.headersAt} ms without its end event (${exchange.sse.error ?? "closed early"}); the backend did not cut it`;
    }
  }
  return null;
});
