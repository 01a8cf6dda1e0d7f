import { startStack, type Stack } from "../stack/stack";
import { explore, type ExploreOptions, type ExploreResult } from "./explore";
import type { Schedule } from "../steps/schedule";
import type { Trace } from "../trace/trace";
import { WORKERD_BASE_VARS } from "../targets/workerd-mapping";
import { createWorkerdRunner, type WorkerdRunnerOptions, type WorkerdRunStats } from "../targets/workerd";

/** Shrinking re-runs schedules in real time on workerd: at most this many by default. */
export const WORKERD_SHRINK_RUNS = 30;

export interface WorkerdExploreResult extends ExploreResult {
  workerd: WorkerdRunStats;
}

/**
 * Starts ONE stack (Worker on workerd + the three fakes) for the whole run, hands `fn` a runner and
 * stops everything afterwards — also on SIGINT/SIGTERM, so no workerd is left behind.
 */
export async function withWorkerdRunner<T>(options: WorkerdRunnerOptions, fn: (runner: ReturnType<typeof createWorkerdRunner>) => Promise<T>): Promise<T> {
  const stack: Stack = await startStack({ quiet: true, workerVars: { ...WORKERD_BASE_VARS, ...options.vars } });
  const runner = createWorkerdRunner(stack, options);
  const onSignal = (signal: NodeJS.Signals) => {
    void stack.stop().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await fn(runner);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    runner.close();
    await stack.stop();
  }
}

/** The in-process explorer's generated schedules, run on workerd; same invariants, same shrinking (capped). */
export async function exploreOnWorkerd(options: ExploreOptions & WorkerdRunnerOptions = {}): Promise<WorkerdExploreResult> {
  const runnerOptions: WorkerdRunnerOptions = { ...(options.tamper ? { tamper: options.tamper } : {}), ...(options.vars ? { vars: options.vars } : {}) };
  return withWorkerdRunner(runnerOptions, async (runner) => {
    const foundVars = { ...WORKERD_BASE_VARS, ...options.vars };
    const result = await explore({ maxShrinkRuns: WORKERD_SHRINK_RUNS, ...options, foundVars, runtime: "workerd", runSchedule: runner.runSchedule });
    return { ...result, workerd: { ...runner.stats, skipped: { ...runner.stats.skipped } } };
  });
}

/** Runs one schedule (a replayed found file) on workerd. */
export async function replayOnWorkerd(schedule: Schedule, vars?: Record<string, string>): Promise<Trace> {
  return withWorkerdRunner(vars ? { vars } : {}, (runner) => runner.runSchedule(schedule));
}
