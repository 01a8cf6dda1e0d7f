import { ok } from "../result";
import { requiredInt } from "./params";
import { defineFault } from "./types";

export interface SseStallParams {
  afterEvents: number;
}

/** Starts the event stream, then goes silent after N events while keeping the connection open. */
export const sseStall = defineFault<SseStallParams>({
  kind: "sse-stall",
  description: "stop sending on an SSE stream after {afterEvents}, connection left open",
  parse(spec) {
    const after = requiredInt(spec, "afterEvents", 0, 100_000);
    return after.ok ? ok({ afterEvents: after.value }) : after;
  },
  async apply({ afterEvents }, ctx) {
    ctx.shaping.sseStallAfterEvents = afterEvents;
    return "continue";
  },
});
