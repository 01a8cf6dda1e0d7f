import { SERVER_NAMES } from "../src/control";
import { parseFault } from "../src/faults/registry";
import type { FaultSpec } from "../src/faults/types";
import { err, ok, type Result } from "../src/result";
import type { Scenario, Step } from "../src/scenario/types";

/** Format of schedule and found-scenario files; bump it when a step's meaning changes. */
export const SCHEDULE_VERSION = 1;

/**
 * The lab's step vocabulary plus one step the lab cannot drive on workerd (a Durable Object outage
 * is only reachable in-process). Everything else is exactly a lab `Step`.
 */
export type ExplorerStep = Step | { do: "doOutage"; on: boolean };

/** One generated schedule: serialisable JSON, replayed by data alone. */
export interface Schedule {
  version: number;
  seed: number;
  workerVars: Record<string, string>;
  steps: ExplorerStep[];
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

const STEP_KINDS = ["request", "connect", "wait", "restartWorker", "rotateSecret", "setFaults", "clearFaults", "kvOutage", "doOutage"] as const;

type Raw = Record<string, unknown>;
const isObject = (value: unknown): value is Raw => typeof value === "object" && value !== null && !Array.isArray(value);

function validateFaults(where: string, value: unknown): Result<FaultSpec[]> {
  if (!Array.isArray(value)) return err(`${where}.faults must be an array of fault objects`);
  for (const [index, fault] of value.entries()) {
    const parsed = parseFault(fault);
    if (!parsed.ok) return err(`${where}.faults[${index}]: ${parsed.error}`);
  }
  return ok(value as FaultSpec[]);
}

function validateVars(where: string, value: unknown): Result<Record<string, string>> {
  if (value === undefined) return ok({});
  if (!isObject(value)) return err(`${where} must be an object of string variables`);
  for (const [name, text] of Object.entries(value)) {
    if (typeof text !== "string") return err(`${where}.${name} must be a string`);
  }
  return ok(value as Record<string, string>);
}

/** Validates one step; the error names the field (`steps[3].faults[0]: unknown fault kind …`). */
export function validateStep(where: string, raw: unknown): Result<ExplorerStep> {
  if (!isObject(raw)) return err(`${where} must be an object with a "do" field`);
  const kind = raw.do;
  if (typeof kind !== "string" || !(STEP_KINDS as readonly string[]).includes(kind)) {
    return err(`${where}.do must be one of ${STEP_KINDS.join(", ")} (got ${JSON.stringify(kind)})`);
  }
  const needString = (field: string): Result<void> => (typeof raw[field] === "string" && raw[field] !== "" ? ok(undefined) : err(`${where}.${field} must be a non-empty string`));
  const checks: Result<unknown>[] = [];
  switch (kind) {
    case "request":
      checks.push(needString("label"), needString("path"));
      if (typeof raw.path === "string" && !raw.path.startsWith("/")) checks.push(err(`${where}.path must start with "/"`));
      if (raw.concurrency !== undefined && !(Number.isInteger(raw.concurrency) && (raw.concurrency as number) >= 1 && (raw.concurrency as number) <= 200)) {
        checks.push(err(`${where}.concurrency must be an integer in 1..200`));
      }
      if (raw.headers !== undefined) checks.push(validateVars(`${where}.headers`, raw.headers));
      break;
    case "connect":
      checks.push(needString("key"), needString("as"));
      if (raw.provider !== "gemini" && raw.provider !== "openrouter") checks.push(err(`${where}.provider must be "gemini" or "openrouter"`));
      break;
    case "wait":
      if (!(Number.isInteger(raw.ms) && (raw.ms as number) >= 0)) checks.push(err(`${where}.ms must be an integer ≥ 0`));
      break;
    case "restartWorker":
      checks.push(validateVars(`${where}.vars`, raw.vars));
      break;
    case "setFaults":
      checks.push(needString("route"), validateFaults(where, raw.faults));
      if (raw.server !== undefined && !(SERVER_NAMES as readonly unknown[]).includes(raw.server)) checks.push(err(`${where}.server must be one of ${SERVER_NAMES.join(", ")}`));
      break;
    case "kvOutage":
    case "doOutage":
      if (typeof raw.on !== "boolean") checks.push(err(`${where}.on must be true or false`));
      break;
  }
  const failed = checks.find((check) => !check.ok);
  return failed && !failed.ok ? failed : ok(raw as unknown as ExplorerStep);
}

/** Validates a whole schedule (also the `explorer.steps` of a found file). */
export function validateSchedule(raw: unknown): Result<Schedule> {
  if (!isObject(raw)) return err("schedule must be a JSON object with version, seed, workerVars and steps");
  if (raw.version !== SCHEDULE_VERSION) {
    return err(`version ${JSON.stringify(raw.version)} is not supported: this explorer reads version ${SCHEDULE_VERSION}. Re-run the explorer to regenerate the file.`);
  }
  if (!Number.isInteger(raw.seed)) return err("seed must be an integer");
  const vars = validateVars("workerVars", raw.workerVars);
  if (!vars.ok) return vars;
  if (!Array.isArray(raw.steps)) return err("steps must be an array");
  for (const [index, step] of raw.steps.entries()) {
    const checked = validateStep(`steps[${index}]`, step);
    if (!checked.ok) return checked;
  }
  return ok({ version: SCHEDULE_VERSION, seed: raw.seed as number, workerVars: vars.value, steps: raw.steps as ExplorerStep[] });
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
    traffic: schedule.steps.filter((step): step is Step => step.do !== "doOutage"),
    expect: [{ check: "noSecretInWorkerLogs" }],
    explorer: { version: SCHEDULE_VERSION, ...meta, steps: schedule.steps },
  };
}

/** Headers a schedule chose and a body it chose, as JSON (control characters escaped). */
function describeExtras(step: Extract<ExplorerStep, { do: "request" }>): string {
  const headers = Object.entries(step.headers ?? {}).filter(([name]) => name !== "idempotency-key");
  const shown = headers.length > 0 ? ` headers ${JSON.stringify(Object.fromEntries(headers))}` : "";
  if (step.body === undefined || !step.as?.startsWith("mallory")) return shown;
  // A key is never printed, even a fake one: its letters and digits are masked, the bytes that matter stay visible.
  const body = JSON.stringify(step.body, (name, value: unknown) => (name === "apiKey" && typeof value === "string" ? value.replace(/[A-Za-z0-9]/g, "x") : value));
  return `${shown} body ${body}`;
}

/** One readable line per step, for the violation report. */
export function describeStep(step: ExplorerStep): string {
  switch (step.do) {
    case "request":
      return `${step.concurrency && step.concurrency > 1 ? `${step.concurrency}× ` : ""}${step.method ?? "GET"} ${step.path}${step.as ? ` as ${step.as}` : ""}${describeExtras(step)}`;
    case "connect":
      return `connect ${step.provider} as ${step.as}`;
    case "wait":
      return `wait ${step.ms} ms`;
    case "restartWorker":
      return `restart worker${step.vars ? ` with ${Object.keys(step.vars).map((name) => (step.vars![name] === "" ? `${name} removed` : `${name} set`)).join(", ")}` : ""}`;
    case "rotateSecret":
      return "rotate secret (old one becomes KEY_ENCRYPTION_SECRET_PREV)";
    case "setFaults":
      return `${step.server ?? "any server"} ${step.route}: ${step.faults.map((fault) => JSON.stringify(fault)).join(", ")}`;
    case "clearFaults":
      return "clear faults";
    case "kvOutage":
      return step.on ? "KV outage begins" : "KV outage ends";
    case "doOutage":
      return step.on ? "Durable Object outage begins" : "Durable Object outage ends";
  }
}
