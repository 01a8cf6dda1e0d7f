import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { writeReport } from "./report";
import { runScenario } from "./scenario/executor";
import { loadScenarios } from "./scenario/load";
import type { ScenarioRun } from "./scenario/records";
import type { Scenario } from "./scenario/types";
import { randomSecret, startStack, type Stack } from "./stack/stack";

const LAB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const REPORT_DIR = resolve(LAB_ROOT, "..", "lab-report");

function usageError(message: string): never {
  process.stderr.write(`lab: ${message}\n`);
  process.exit(2);
}

/** Scenarios with the same vars run back to back so the Worker restarts as rarely as possible. */
export function orderForRestarts(scenarios: Scenario[]): Scenario[] {
  const key = (scenario: Scenario) => JSON.stringify(Object.entries(scenario.workerVars ?? {}).sort());
  return [...scenarios].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function printTable(runs: ScenarioRun[]): void {
  const width = Math.max(...runs.map((run) => run.name.length), 8);
  process.stdout.write(`\n${"scenario".padEnd(width)}  result  time\n`);
  for (const run of runs) {
    process.stdout.write(`${run.name.padEnd(width)}  ${run.passed ? "pass  " : "FAIL  "}  ${(run.durationMs / 1000).toFixed(2).padStart(6)} s\n`);
  }
}

async function main(): Promise<number> {
  if (process.argv.includes("--explore") || process.argv.includes("--replay")) {
    const { runExplorerCli } = await import("./explorer/cli");
    return runExplorerCli(process.argv.slice(2));
  }
  if (process.argv.includes("--fleet")) {
    const { runFleetCli } = await import("./fleet/cli");
    return runFleetCli(process.argv.slice(2), { write: (text) => process.stdout.write(text), writeError: (text) => process.stderr.write(text), reportDir: REPORT_DIR, now: () => Date.now() });
  }
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { scenario: { type: "string", multiple: true }, seed: { type: "string" }, list: { type: "boolean" }, verbose: { type: "boolean" } },
  });
  const loaded = await loadScenarios(join(LAB_ROOT, "scenarios"));
  if (!loaded.ok) usageError(`malformed scenario file: ${loaded.error}`);
  const all = loaded.value;
  if (values.list) {
    process.stdout.write(all.map((scenario) => scenario.name).join("\n") + "\n");
    return 0;
  }
  let selected = all;
  if (values.scenario) {
    const names = new Set(all.map((scenario) => scenario.name));
    const unknown = values.scenario.filter((name) => !names.has(name));
    if (unknown.length > 0) usageError(`unknown scenario ${unknown.map((name) => `"${name}"`).join(", ")}. Valid scenarios:\n  ${[...names].join("\n  ")}`);
    selected = all.filter((scenario) => values.scenario!.includes(scenario.name));
  }
  if (values.seed !== undefined) {
    if (!/^-?\d+$/.test(values.seed)) usageError(`--seed must be an integer (got "${values.seed}")`);
    selected = selected.map((scenario) => ({ ...scenario, seed: Number(values.seed) }));
  }
  const ordered = orderForRestarts(selected);
  const wallStart = Date.now();
  process.stdout.write(`lab: starting the stack (workerd + fakes) for ${ordered.length} scenario(s)…\n`);
  let stack: Stack | undefined;
  const stopAll = async () => {
    await stack?.stop();
  };
  const onSignal = () => {
    process.stdout.write("\nlab: interrupted, stopping everything…\n");
    void stopAll().finally(() => process.exit(130));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const runs: ScenarioRun[] = [];
  try {
    stack = await startStack({ quiet: !values.verbose, seed: ordered[0]?.seed ?? 1 });
    const baseVars = stack.workerVars();
    const deps = { now: () => Date.now(), sleep: (ms: number) => sleep(ms), fetch: globalThis.fetch.bind(globalThis), randomSecret, circuitPollMs: 250 };
    for (const [index, scenario] of ordered.entries()) {
      process.stdout.write(`[${index + 1}/${ordered.length}] ${scenario.name} … `);
      const run = await runScenario(stack, scenario, deps, { baseVars });
      runs.push(run);
      process.stdout.write(`${run.passed ? "pass" : "FAIL"} (${(run.durationMs / 1000).toFixed(2)} s)\n`);
      if (run.error) process.stdout.write(`    error: ${run.error}\n`);
      for (const result of run.results.filter((r) => !r.passed)) {
        process.stdout.write(`    ✘ ${result.assertion.check}${"label" in result.assertion ? ` ${result.assertion.label}` : ""}: expected ${result.expected}, got ${result.actual}\n`);
      }
    }
  } finally {
    await stopAll();
  }
  const wallMs = Date.now() - wallStart;
  printTable(runs);
  await writeReport(REPORT_DIR, runs, wallMs);
  const failed = runs.filter((run) => !run.passed).length;
  process.stdout.write(`\n${runs.length - failed}/${runs.length} passed in ${(wallMs / 1000).toFixed(1)} s. Report: ${join(REPORT_DIR, "index.html")}\n`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`lab: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
