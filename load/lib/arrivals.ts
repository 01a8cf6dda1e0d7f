/**
 * Open-model load like k6's constant-arrival-rate: request i starts at start + i / rate, whatever
 * the earlier ones are doing. Bounded in count (rate × duration) and in concurrency (an arrival
 * that finds maxInFlight busy is dropped and counted, as k6 counts dropped_iterations).
 */
import { setTimeout as delay } from "node:timers/promises";

export interface ArrivalPlan {
  ratePerSec: number;
  durationMs: number;
  maxInFlight: number;
}

export interface ArrivalOutcome {
  started: number;
  dropped: number;
}

export interface ArrivalClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: ArrivalClock = { now: () => performance.now(), sleep: (ms) => delay(ms) };

/** Start offsets (ms from the beginning) of every arrival in the plan. */
export function arrivalOffsets(ratePerSec: number, durationMs: number): number[] {
  const count = Math.floor((durationMs * ratePerSec) / 1000 + 1e-9);
  const interval = 1000 / ratePerSec;
  return Array.from({ length: count }, (_, i) => i * interval);
}

/** Runs the plan; `fire(index, offsetMs)` is one request and must bound its own time (a timeout). */
export async function runArrivals(
  plan: ArrivalPlan,
  fire: (index: number, offsetMs: number) => Promise<void>,
  clock: ArrivalClock = realClock,
): Promise<ArrivalOutcome> {
  const start = clock.now();
  const inFlight = new Set<Promise<void>>();
  let dropped = 0;
  const offsets = arrivalOffsets(plan.ratePerSec, plan.durationMs);
  for (const [index, offset] of offsets.entries()) {
    const wait = start + offset - clock.now();
    if (wait > 0.5) await clock.sleep(wait);
    if (inFlight.size >= plan.maxInFlight) {
      dropped += 1;
      continue;
    }
    const running: Promise<void> = fire(index, offset)
      .catch(() => undefined)
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
  }
  await Promise.all(inFlight);
  return { started: offsets.length - dropped, dropped };
}
