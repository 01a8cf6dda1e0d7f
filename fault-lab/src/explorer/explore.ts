import fc from "fast-check";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { scheduleArbitrary } from "./arbitraries";
import { firstViolation, INVARIANTS } from "../invariants";
import { runSchedule, type HarnessOptions } from "../targets/in-process";
import { isolationHonestAnswers } from "../invariants/isolation-honest-answers";
import { REAL_CLOCK, VIRTUAL_CLOCK, type Judging, type Violation } from "../invariants/types";
import { hasHostileAttacks, withoutHostile } from "./hostile";
import { describeStep } from "../steps/describe";
import { toFoundScenario, type FoundScenario, type Schedule } from "../steps/schedule";
import type { Trace } from "../trace/trace";

export const FOUND_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../scenarios/found");
export const DEFAULT_RUNS = 200;

export interface ExploreOptions extends HarnessOptions {
  runs?: number;
  seed?: number;
  /** Where to write the shrunk counter-example; null writes nothing (tests). */
  foundDir?: string | null;
  maxSteps?: number;
  onProgress?(done: number, total: number): void;
  /** Runs one schedule; default the in-process harness (workerd-explore.ts passes the workerd runner). */
  runSchedule?(schedule: Schedule): Promise<Trace>;
  /** Recorded in the found file. */
  runtime?: FoundScenario["explorer"]["runtime"];
  /**
   * At most this many schedules run while shrinking; later candidates count as passing without running,
   * so the smallest failing schedule found so far is kept. Unlimited when absent.
   */
  maxShrinkRuns?: number;
  /** Worker variables the runtime added (workerd's short windows): written into the found file so it replays alone. */
  foundVars?: Record<string, string>;
  /**
   * Mix the hostile client's parts into the schedules; in-process, also check `isolation` with a
   * twin run. Default: on in-process, off when a custom runner is given (workerd: its timing is
   * real, so two runs of one schedule are not comparable answer by answer and `isolation` is never
   * checked there; the single-run invariants still judge the attacks when this is set).
   */
  hostile?: boolean;
}

export interface ExploreResult {
  seed: number;
  runs: number;
  /** Schedules run, shrink attempts included. */
  schedules: number;
  steps: number;
  /** Twin runs without the hostile client's attacks (the `isolation` invariant); absent: none. */
  twinRuns?: number;
  invariantsChecked: number;
  elapsedMs: number;
  failure: null | {
    violation: Violation;
    schedule: Schedule;
    path: string | null;
    shrinks: number;
    /** Time to the first failing schedule, and to the end of shrinking. */
    foundAfterMs: number;
    /** Which generated schedule (1-based) failed first. */
    foundAtRun?: number;
    file: string | null;
  };
}

class InvariantBroken extends Error {
  constructor(readonly violation: Violation) {
    super(`${violation.invariant}: ${violation.message}`);
  }
}

/** Runs `runs` generated schedules; on a violation fast-check shrinks it and the minimal one is written. */
export async function explore(options: ExploreOptions = {}): Promise<ExploreResult> {
  const runs = options.runs ?? DEFAULT_RUNS;
  const seed = options.seed ?? 1;
  const started = performance.now();
  let schedules = 0;
  let steps = 0;
  let generated = 0;
  let foundAfterMs: number | null = null;
  let foundAtRun: number | null = null;
  const harness: HarnessOptions = options.variant ? { variant: options.variant } : {};
  const run = options.runSchedule ?? ((schedule: Schedule) => runSchedule(schedule, harness));
  const hostile = options.hostile ?? options.runSchedule === undefined;
  const isolation = hostile && options.runSchedule === undefined;
  const judging = judgingFor(options.runtime);
  let shrinkRuns = 0;
  let twinRuns = 0;
  const property = fc.asyncProperty(scheduleArbitrary(options.maxSteps, { hostile }), async (schedule) => {
    if (foundAfterMs !== null && options.maxShrinkRuns !== undefined && ++shrinkRuns > options.maxShrinkRuns) return;
    schedules += 1;
    steps += schedule.steps.length;
    if (foundAfterMs === null) {
      generated += 1;
      options.onProgress?.(generated, runs);
    }
    const judged = await judgeSchedule(schedule, run, isolation, judging);
    twinRuns += judged.twinRuns;
    const { violation } = judged;
    if (violation) {
      foundAtRun ??= generated;
      foundAfterMs ??= performance.now() - started;
      throw new InvariantBroken(violation);
    }
  });
  const details = await fc.check(property, { seed, numRuns: runs });
  const elapsedMs = performance.now() - started;
  const summary = { seed, runs, schedules, steps, twinRuns, invariantsChecked: INVARIANTS.length + (isolation ? 1 : 0), elapsedMs };
  if (!details.failed || !details.counterexample) return { ...summary, failure: null };
  const cause = details.errorInstance;
  let violation: Violation = cause instanceof InvariantBroken ? cause.violation : { invariant: "harness-error", message: cause instanceof Error ? cause.message : String(cause) };
  let schedule = details.counterexample[0];
  // fast-check shrinks the list of parts; one greedy pass then drops single steps it left behind
  // (in-process only: it costs one run per step).
  if (!options.runSchedule && violation.invariant !== "harness-error") {
    const trimmed = await dropSteps(schedule, violation.invariant, (candidate) => judgeSchedule(candidate, run, isolation, judging).then((judged) => judged.violation));
    schedule = trimmed.schedule;
    violation = trimmed.violation ?? violation;
    schedules += trimmed.runs;
  }
  let file: string | null = null;
  const foundDir = options.foundDir === undefined ? FOUND_DIR : options.foundDir;
  if (foundDir) {
    await mkdir(foundDir, { recursive: true });
    const written = options.foundVars ? { ...schedule, workerVars: { ...options.foundVars, ...schedule.workerVars } } : schedule;
    const found = toFoundScenario(written, { seed, path: details.counterexamplePath, invariant: violation.invariant, message: violation.message, runtime: options.runtime ?? "in-process" });
    file = await writeNewFile(foundDir, `${violation.invariant}-${seed}`, `${JSON.stringify(found, null, 2)}\n`);
  }
  // The trim pass ran schedules too: count them and its time.
  return { ...summary, schedules, elapsedMs: performance.now() - started, failure: { violation, schedule, path: details.counterexamplePath, shrinks: details.numShrinks, foundAfterMs: foundAfterMs ?? elapsedMs, foundAtRun: foundAtRun ?? generated, file } };
}

/** In-process runs on the virtual clock; workerd in real time (timestamps within a timer slack). */
export const judgingFor = (runtime: FoundScenario["explorer"]["runtime"] | undefined): Judging => (runtime === "workerd" ? REAL_CLOCK : VIRTUAL_CLOCK);

/**
 * Runs one schedule and judges it: every single-run invariant, then — when `isolation` is on and
 * the schedule has hostile attacks — the twin run without them and the `isolation` invariant.
 */
export async function judgeSchedule(
  schedule: Schedule,
  run: (schedule: Schedule) => Promise<Trace>,
  isolation: boolean,
  judging: Judging = VIRTUAL_CLOCK,
): Promise<{ trace: Trace; violation: Violation | null; twinRuns: number }> {
  const trace = await run(schedule);
  const violation = firstViolation(trace, judging);
  if (violation || !isolation || !hasHostileAttacks(schedule)) return { trace, violation, twinRuns: 0 };
  const twin = await run(withoutHostile(schedule, trace));
  const [broken] = isolationHonestAnswers.check({ run: trace, twin }, judging);
  return { trace, violation: broken ?? null, twinRuns: 1 };
}

/** Request labels are positional ("s3" is step 4), as the arbitrary writes them. */
const relabel = (steps: Schedule["steps"]): Schedule["steps"] => steps.map((step, index) => (step.do === "request" ? { ...step, label: `s${index}` } : step));

/** Removes single steps, last first, while the same invariant still breaks. */
async function dropSteps(schedule: Schedule, invariant: string, judge: (schedule: Schedule) => Promise<Violation | null>): Promise<{ schedule: Schedule; violation: Violation | null; runs: number }> {
  let current = schedule;
  let violation: Violation | null = null;
  let runs = 0;
  for (let index = current.steps.length - 1; index >= 0 && current.steps.length > 1; index -= 1) {
    const candidate = { ...current, steps: relabel(current.steps.filter((_, position) => position !== index)) };
    runs += 1;
    const found = await judge(candidate);
    if (found?.invariant === invariant) {
      current = candidate;
      violation = found;
    }
  }
  return { schedule: current, violation, runs };
}

/** The minimal schedule as numbered, readable steps. */
export function describeSchedule(schedule: Schedule): string {
  const vars = Object.entries(schedule.workerVars).map(([name, value]) => `${name}=${value}`).join(" ");
  return [`  config: ${vars || "(defaults)"}; fault seed ${schedule.seed}`, ...schedule.steps.map((step, index) => `  ${index + 1}. ${describeStep(step)}`)].join("\n");
}

/** Writes `<base>.json`, or `<base>-2.json`… when that name is taken: a run never overwrites a committed regression. */
export async function writeNewFile(dir: string, base: string, text: string): Promise<string> {
  for (let copy = 1; ; copy += 1) {
    const file = join(dir, copy === 1 ? `${base}.json` : `${base}-${copy}.json`);
    try {
      await writeFile(file, text, { flag: "wx" });
      return file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}
