import { SERVER_NAMES } from "../control/lab-control";
import { parseFault } from "../faults/registry";
import type { FaultSpec } from "../faults/types";
import { err, ok, type Result } from "../result";
import { STEP_KINDS, type FaultRuleSpec, type Step } from "./model";

/**
 * The one step validator (scenario traffic, schedules, found files). Every error names the step and
 * the field: `traffic[3].faults[0]: unknown fault kind …`, `steps[1].ms must be an integer ≥ 0`.
 */
type Raw = Record<string, unknown>;
const isObject = (value: unknown): value is Raw => typeof value === "object" && value !== null && !Array.isArray(value);
const typeOf = (value: unknown): string => (Array.isArray(value) ? "array" : value === null ? "null" : typeof value);

function validateFaults(where: string, value: unknown): Result<FaultSpec[]> {
  if (!Array.isArray(value)) return err(`${where}.faults must be an array of fault objects (got ${typeOf(value)})`);
  for (const [index, fault] of value.entries()) {
    const parsed = parseFault(fault);
    if (!parsed.ok) return err(`${where}.faults[${index}]: ${parsed.error}`);
  }
  return ok(value as FaultSpec[]);
}

/** An object of string values (worker vars, headers); `where` is the field's full name. */
export function validateStrings(where: string, value: unknown): Result<Record<string, string>> {
  if (value === undefined) return ok({});
  if (!isObject(value)) return err(`${where} must be an object of strings (got ${typeOf(value)})`);
  for (const [name, text] of Object.entries(value)) {
    if (typeof text !== "string") return err(`${where}.${name} must be a string (got ${typeOf(text)})`);
  }
  return ok(value as Record<string, string>);
}

/** A fault rule `{route, server?, faults}` (a setFaults step, or a scenario's `faults[i]`). */
export function validateFaultRule(where: string, raw: unknown): Result<FaultRuleSpec> {
  if (!isObject(raw)) return err(`${where} must be an object {route, faults}`);
  if (typeof raw.route !== "string" || raw.route === "") return err(`${where}.route must be a non-empty string`);
  if (raw.server !== undefined && !(SERVER_NAMES as readonly unknown[]).includes(raw.server)) return err(`${where}.server must be one of ${SERVER_NAMES.join(", ")}`);
  const faults = validateFaults(where, raw.faults);
  return faults.ok ? ok(raw as unknown as FaultRuleSpec) : faults;
}

const isCount = (value: unknown, min: number, max: number): boolean => Number.isInteger(value) && (value as number) >= min && (value as number) <= max;

function requestChecks(where: string, raw: Raw, needString: (field: string) => Result<void>): Result<unknown>[] {
  const checks: Result<unknown>[] = [needString("label"), needString("path")];
  if (typeof raw.path === "string" && !raw.path.startsWith("/")) checks.push(err(`${where}.path must start with "/"`));
  if (raw.method !== undefined && (typeof raw.method !== "string" || !/^[A-Za-z]+$/.test(raw.method))) checks.push(err(`${where}.method must be an HTTP method name`));
  if (raw.concurrency !== undefined && !isCount(raw.concurrency, 1, 200)) checks.push(err(`${where}.concurrency must be an integer in 1..200`));
  if (raw.bodyBytes !== undefined && !isCount(raw.bodyBytes, 0, 10_000_000)) checks.push(err(`${where}.bodyBytes must be an integer in 0..10000000`));
  if (raw.headers !== undefined) checks.push(validateStrings(`${where}.headers`, raw.headers));
  for (const field of ["as", "tossFrom"]) if (raw[field] !== undefined) checks.push(needString(field));
  if (raw.keepCookies !== undefined && typeof raw.keepCookies !== "boolean") checks.push(err(`${where}.keepCookies must be true or false`));
  return checks;
}

/** Validates one step; `where` names it (`traffic[2]`, `steps[0]`). */
export function validateStep(where: string, raw: unknown): Result<Step> {
  if (!isObject(raw)) return err(`${where} must be an object with a "do" field`);
  const kind = raw.do;
  if (typeof kind !== "string" || !(STEP_KINDS as readonly string[]).includes(kind)) {
    return err(`${where}.do must be one of ${STEP_KINDS.join(", ")} (got ${JSON.stringify(kind)})`);
  }
  const needString = (field: string): Result<void> => (typeof raw[field] === "string" && raw[field] !== "" ? ok(undefined) : err(`${where}.${field} must be a non-empty string`));
  let checks: Result<unknown>[] = [];
  switch (kind) {
    case "request":
      checks = requestChecks(where, raw, needString);
      break;
    case "connect":
      checks.push(needString("key"), needString("as"));
      if (raw.provider !== "gemini" && raw.provider !== "openrouter") checks.push(err(`${where}.provider must be "gemini" or "openrouter"`));
      if (raw.label !== undefined) checks.push(needString("label"));
      break;
    case "wait":
      if (typeof raw.ms !== "number") checks.push(err(`${where}.ms must be a number (got ${typeOf(raw.ms)})`));
      else if (!isCount(raw.ms, 0, Number.MAX_SAFE_INTEGER)) checks.push(err(`${where}.ms must be an integer ≥ 0`));
      break;
    case "restartWorker":
      checks.push(validateStrings(`${where}.vars`, raw.vars));
      break;
    case "setFaults":
      checks.push(validateFaultRule(where, raw));
      break;
    case "kvOutage":
    case "doOutage":
      if (typeof raw.on !== "boolean") checks.push(err(`${where}.on must be true or false`));
      break;
  }
  const failed = checks.find((check) => !check.ok);
  return failed && !failed.ok ? failed : ok(raw as unknown as Step);
}

/** Validates a list of steps; `name` is the list's field (`traffic`, `steps`). */
export function validateSteps(name: string, raw: unknown): Result<Step[]> {
  if (!Array.isArray(raw)) return err(`${name} must be an array of steps (got ${typeOf(raw)})`);
  for (const [index, step] of raw.entries()) {
    const checked = validateStep(`${name}[${index}]`, step);
    if (!checked.ok) return checked;
  }
  return ok(raw as Step[]);
}
