import type { ExplorerStep, Schedule } from "../steps/schedule";
import type { Trace } from "../trace/trace";
import { isHostileJar } from "../hostile-client";

/**
 * The hostile client's twin run (issue 15; who the attacker is: ../hostile-client.ts). `isolation`
 * compares a run beside the attacker with this twin, where the attacks are gone.
 */

/** A hostile *attack* step (stripped from the twin run); the attacker's account connect is not one. */
export const isHostileAttack = (step: ExplorerStep): boolean => step.do === "request" && isHostileJar(step.as);

export const hasHostileAttacks = (schedule: Schedule): boolean => schedule.steps.some(isHostileAttack);

/**
 * The twin of a run without the attacker: each hostile attack step becomes a wait as long as that
 * step took in `run` (virtual ms), so every honest step starts at the same virtual instant. Steps
 * the run never reached (it stopped on a stuck request) are dropped.
 */
export function withoutHostile(schedule: Schedule, run: Trace): Schedule {
  const steps: ExplorerStep[] = [];
  for (const [position, record] of run.steps.entries()) {
    const step = schedule.steps[record.index]!;
    if (!isHostileAttack(step)) {
      steps.push(step);
      continue;
    }
    const next = run.steps[position + 1];
    const end = next ? next.t : run.endedAt ?? record.t;
    steps.push({ do: "wait", ms: end - record.t });
  }
  return { ...schedule, steps };
}
