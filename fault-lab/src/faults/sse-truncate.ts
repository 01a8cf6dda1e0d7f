import { ok } from "../result";
import { requiredInt } from "./params";
import { defineFault } from "./types";

export interface SseTruncateParams {
  afterEvents: number;
}

/** Starts the event stream normally, then closes the connection after N events (no terminator). */
export const sseTruncate = defineFault<SseTruncateParams>({
  kind: "sse-truncate",
  description: "cut an SSE stream after {afterEvents}",
  parse(spec) {
    const after = requiredInt(spec, "afterEvents", 0, 100_000);
    return after.ok ? ok({ afterEvents: after.value }) : after;
  },
  async apply({ afterEvents }, ctx) {
    ctx.shaping.sseCutAfterEvents = afterEvents;
    return "continue";
  },
});
