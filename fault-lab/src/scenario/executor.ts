import { describeStep } from "../steps/describe";
import { interpret } from "../steps/interpret";
import { createStackTarget, noteSecrets } from "../targets/stack";
import { evaluate } from "./assertions";
import type { CircuitSample, ScenarioRun } from "./records";
import type { ExecutorDeps, LabTarget, RunOptions, RunState } from "./run-state";
import type { Scenario } from "./types";


function sameVars(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => a[key] === b[key]);
}

/** Vars that turn `current` into exactly `desired` through restartWorker's merge ("" removes). */
export function varsDelta(current: Record<string, string>, desired: Record<string, string>): Record<string, string> {
  const delta: Record<string, string> = { ...desired };
  for (const key of Object.keys(current)) if (!(key in desired)) delta[key] = "";
  return delta;
}

function mergeDesired(base: Record<string, string>, overrides: Record<string, string> = {}): Record<string, string> {
  const merged = { ...base, ...overrides };
  for (const [key, value] of Object.entries(merged)) if (value === "") delete merged[key];
  return merged;
}

function startCircuitPoll(state: RunState, samples: CircuitSample[]): () => Promise<void> {
  const { deps, target } = state;
  if (deps.circuitPollMs <= 0) return async () => undefined;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const response = await deps.fetch(`${target.workerUrl}/api/v1/metrics`, { signal: AbortSignal.timeout(2000) });
        const body = (await response.json()) as { vpsProxyCircuit?: { state?: string; remainingMs?: number } };
        samples.push({ t: deps.now() - state.startedAt, state: body.vpsProxyCircuit?.state ?? "unknown", remainingMs: body.vpsProxyCircuit?.remainingMs ?? 0 });
      } catch {
        samples.push({ t: deps.now() - state.startedAt, state: "unreachable", remainingMs: 0 });
      }
      await deps.sleep(deps.circuitPollMs);
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

/**
 * Runs one scenario: reseed, reset faults and events, restart the Worker when its vars differ (or a
 * fresh isolate is asked for), install faults, run the traffic through the one step interpreter
 * (steps/interpret.ts) on the stack target, evaluate every assertion.
 */
export async function runScenario(lab: LabTarget, scenario: Scenario, deps: ExecutorDeps, options: RunOptions): Promise<ScenarioRun> {
  const startedAt = deps.now();
  const state: RunState = { target: lab, deps, responses: {}, usedKeys: new Set(), secrets: new Set(), startedAt };
  const run: ScenarioRun = { name: scenario.name, description: scenario.description, seed: scenario.seed, startedAt, durationMs: 0, steps: [], responses: state.responses, events: [], circuit: [], results: [], passed: false };
  lab.control.resetFaults();
  lab.control.reseed(scenario.seed);
  const desired = mergeDesired(options.baseVars, scenario.workerVars);
  if (scenario.freshWorker || !sameVars(lab.workerVars(), desired)) await lab.restartWorker(varsDelta(lab.workerVars(), desired));
  noteSecrets(state);
  lab.control.clearEvents();
  const target = createStackTarget(state);
  const stopPoll = startCircuitPoll(state, run.circuit);
  try {
    for (const rule of scenario.faults) await target.setFaults(rule);
    const interpretation = await interpret(scenario.traffic, target, {
      beforeStep(_index, step) {
        run.steps.push({ t: deps.now() - startedAt, step: describeStep(step) });
        return null;
      },
    });
    for (const key of interpretation.usedKeys) state.usedKeys.add(key);
    const skipped = interpretation.skipped[0];
    if (skipped) run.error = `traffic[${skipped.index}] (${skipped.kind}) cannot run here: ${skipped.reason}`;
  } catch (error) {
    run.error = error instanceof Error ? error.message : String(error);
  } finally {
    await stopPoll();
    await lab.setKvOutage(false).catch(() => undefined);
  }
  run.events = lab.control.events(undefined);
  if (!run.error) run.results = await evaluate(scenario.expect, state, run.events);
  lab.control.resetFaults();
  run.durationMs = deps.now() - startedAt;
  run.passed = !run.error && run.results.every((result) => result.passed);
  return run;
}
