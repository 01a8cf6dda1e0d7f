import { ok } from "../result";
import { parseMillis, pause, type Millis } from "./params";
import { defineFault } from "./types";

export interface LatencyParams {
  ms: Millis;
}

/** Delays the answer (fixed, or jittered in {min,max} by the seeded RNG), then lets the fake answer. */
export const latency = defineFault<LatencyParams>({
  kind: "latency",
  description: "delay before answering: {ms: 200} or {ms: {min: 50, max: 500}}",
  parse(spec) {
    const ms = parseMillis(spec, "ms", true);
    return ms.ok ? ok({ ms: ms.value! }) : ms;
  },
  async apply({ ms }, ctx) {
    await pause(typeof ms === "number" ? ms : ctx.rng.int(ms.min, ms.max), ctx);
    return "continue";
  },
});
