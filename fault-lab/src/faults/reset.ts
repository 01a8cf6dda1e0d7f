import { ok } from "../result";
import { optionalInt, pause } from "./params";
import { defineFault } from "./types";

export interface ResetParams {
  afterMs?: number;
}

/** Kills the connection without an answer (the client sees a network error). */
export const reset = defineFault<ResetParams>({
  kind: "reset",
  description: "destroy the socket, optionally after {afterMs}",
  parse(spec) {
    const afterMs = optionalInt(spec, "afterMs", 0, 600_000);
    return afterMs.ok ? ok(afterMs.value === undefined ? {} : { afterMs: afterMs.value }) : afterMs;
  },
  async apply({ afterMs }, ctx) {
    if (afterMs !== undefined) await pause(afterMs, ctx);
    return "reset";
  },
});
