import { err, ok, type Result } from "../result";
import type { Scenario } from "../scenario/types";
import type { Step } from "./model";
import { validateStep, validateStrings } from "./validate";

/** Format of schedule and found-scenario files; bump it when a step's meaning changes. */
export const SCHEDULE_VERSION = 1;

/** The explorer's steps are the one step model (doOutage included). */
export type ExplorerStep = Step;

/** One generated schedule: serialisable JSON, replayed by data alone. */
export interface Schedule {
  version: number;
  seed: number;
  workerVars: Record<string, string>;
  steps: Step[];
}

/** A found counter-example: a lab scenario (traffic = the steps) plus the explorer's metadata. */
export interface FoundScenario extends Scenario {
  explorer: {
    version: number;
    /** fast-check seed and shrink path: `fc.check(…, {seed, path})` lands on this schedule again. */
    seed: number;
    path: string | null;
    invariant: string;
    message: string;
    runtime: "in-process" | "workerd";
    /** Steps the lab cannot run (doOutage) are kept here; `traffic` holds the lab-runnable ones. */
    steps: ExplorerStep[];
  };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Validates a whole schedule (also the `explorer.steps` of a found file). */
export function validateSchedule(raw: unknown): Result<Schedule> {
  if (!isObject(raw)) return err("schedule must be a JSON object with version, seed, workerVars and steps");
  if (raw.version !== SCHEDULE_VERSION) {
    return err(`version ${JSON.stringify(raw.version)} is not supported: this explorer reads version ${SCHEDULE_VERSION}. Re-run the explorer to regenerate the file.`);
  }
  if (!Number.isInteger(raw.seed)) return err("seed must be an integer");
  const vars = validateStrings("workerVars", raw.workerVars);
  if (!vars.ok) return vars;
  if (!Array.isArray(raw.steps)) return err("steps must be an array");
  for (const [index, step] of raw.steps.entries()) {
    const checked = validateStep(`steps[${index}]`, step);
    if (!checked.ok) return checked;
  }
  return ok({ version: SCHEDULE_VERSION, seed: raw.seed as number, workerVars: vars.value, steps: raw.steps as Step[] });
}

/** Reads a found-scenario file's JSON back into the schedule it was written from. */
export function scheduleFromFound(raw: unknown): Result<Schedule> {
  if (!isObject(raw)) return err("file must contain a JSON object");
  const meta = raw.explorer;
  if (!isObject(meta)) return err("explorer is missing: not a file written by the explorer (expected an \"explorer\" object)");
  if (meta.version !== SCHEDULE_VERSION) {
    return err(`explorer.version ${JSON.stringify(meta.version)} is not supported: this explorer reads version ${SCHEDULE_VERSION}. Re-run the explorer to regenerate the file.`);
  }
  return validateSchedule({ version: meta.version, seed: raw.seed, workerVars: raw.workerVars ?? {}, steps: meta.steps });
}

/** The schedule as a lab scenario, with the explorer's metadata alongside. */
export function toFoundScenario(schedule: Schedule, meta: Omit<FoundScenario["explorer"], "version" | "steps">): FoundScenario {
  return {
    name: `found-${meta.invariant}-${meta.seed}`,
    description: `Explorer counter-example for invariant "${meta.invariant}": ${meta.message}`,
    seed: schedule.seed,
    workerVars: schedule.workerVars,
    freshWorker: true,
    faults: [],
    traffic: schedule.steps.filter((step) => step.do !== "doOutage"),
    expect: [{ check: "noSecretInWorkerLogs" }],
    explorer: { version: SCHEDULE_VERSION, ...meta, steps: schedule.steps },
  };
}
