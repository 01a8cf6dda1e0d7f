import { untilAborted } from "../clock/clock";
import { ok } from "../result";
import { optionalInt, pause } from "./params";
import { defineFault } from "./types";

export interface HangParams {
  ms?: number;
}

/**
 * Sends no response headers: forever (until the client gives up) or for `ms`, after which the fake
 * answers normally — set `ms` past the Worker's timeout to prove the timeout fires first.
 */
export const hang = defineFault<HangParams>({
  kind: "hang",
  description: "never send headers, or only after {ms}",
  parse(spec) {
    const ms = optionalInt(spec, "ms", 0, 600_000);
    return ms.ok ? ok(ms.value === undefined ? {} : { ms: ms.value }) : ms;
  },
  async apply({ ms }, ctx) {
    if (ms === undefined) return untilAborted(ctx.signal);
    await pause(ms, ctx);
    return "continue";
  },
});
