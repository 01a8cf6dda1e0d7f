import { err, ok, type Result } from "../result";
import { validateFaultRule, validateSteps } from "../steps/validate";
import { CHECK_NAMES } from "./assertions";
import type { Scenario } from "./types";

const LABELLED = ["status", "statusCounts", "errorCode", "cause", "retryable", "retryAfter", "noRetryAfter", "durationMs", "bodyIncludes", "jsonPath", "requestIdEchoed", "setsCookie"];
const CHECK_FIELDS: Record<string, Record<string, string>> = {
  ...Object.fromEntries(LABELLED.map((name) => [name, { label: "string" }])),
  upstreamAttempts: { route: "string" },
  upstreamHeaders: { route: "string" },
  metric: { path: "string" },
  metricIs: { path: "string" },
  kvEntries: { prefix: "string" },
};

const typeOf = (value: unknown): string => (Array.isArray(value) ? "array" : value === null ? "null" : typeof value);

function requireFields(value: Record<string, unknown>, fields: Record<string, string>, where: string): Result<void> {
  for (const [field, type] of Object.entries(fields)) {
    if (typeOf(value[field]) !== type) return err(`${where}.${field} must be a ${type} (got ${typeOf(value[field])})`);
  }
  return ok(undefined);
}

/** The label connect steps had before the one step model (`connect:<as>`), or null. */
const oldConnectLabel = (label: unknown): string | null => (typeof label === "string" ? (/^connect:(.+)$/.exec(label)?.[1] ?? null) : null);

/** Checks a scenario's shape; the error names the field (e.g. `traffic[2].ms must be a number`). */
export function validateScenario(value: unknown): Result<Scenario> {
  if (typeOf(value) !== "object") return err("the scenario must be an object");
  const scenario = value as Record<string, unknown>;
  const top = requireFields(scenario, { name: "string", description: "string", seed: "number", faults: "array", traffic: "array", expect: "array" }, "scenario");
  if (!top.ok) return top;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(scenario.name as string)) return err("scenario.name must be kebab-case (a-z, 0-9, -)");
  if (!Number.isInteger(scenario.seed)) return err("scenario.seed must be an integer");
  if (scenario.workerVars !== undefined) {
    if (typeOf(scenario.workerVars) !== "object") return err("scenario.workerVars must be an object of strings");
    for (const [name, var_] of Object.entries(scenario.workerVars as object)) if (typeof var_ !== "string") return err(`scenario.workerVars.${name} must be a string`);
  }
  for (const [index, rule] of (scenario.faults as unknown[]).entries()) {
    const checked = validateFaultRule(`faults[${index}]`, rule);
    if (!checked.ok) return checked;
  }
  const traffic = validateSteps("traffic", scenario.traffic);
  if (!traffic.ok) return traffic;
  for (const [index, assertion] of (scenario.expect as unknown[]).entries()) {
    const where = `expect[${index}]`;
    if (typeOf(assertion) !== "object") return err(`${where} must be an object with "check"`);
    const check = (assertion as { check?: unknown }).check;
    if (typeof check !== "string" || !(CHECK_NAMES as string[]).includes(check)) return err(`${where}.check must be one of ${CHECK_NAMES.join(", ")} (got ${JSON.stringify(check)})`);
    const checked = requireFields(assertion as Record<string, unknown>, CHECK_FIELDS[check] ?? {}, where);
    if (!checked.ok) return checked;
    const oldLabel = oldConnectLabel((assertion as { label?: unknown }).label);
    if (oldLabel) return err(`${where}.label "connect:${oldLabel}": a connect step's response is labelled "connect-${oldLabel}" now (one step model, docs/lab.md); rename the label`);
  }
  return ok(value as Scenario);
}
