import { readFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { firstViolation } from "../invariants";
import { REAL_CLOCK } from "../invariants/types";
import { DEFAULT_RUNS, describeSchedule, explore, judgeSchedule, type ExploreResult } from "./explore";
import { runSchedule } from "../targets/in-process";
import { writeExplorerReport } from "./report";
import { scheduleFromFound } from "../steps/schedule";
import { eventLog } from "../trace/trace";
import { exploreOnWorkerd, replayOnWorkerd, WORKERD_SHRINK_RUNS, type WorkerdExploreResult } from "./workerd-explore";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const REPORT_DIR = resolve(REPO_ROOT, "lab-report");

type Out = (text: string) => void;

class UsageError extends Error {}

function integer(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw) || Number(raw) < min) throw new UsageError(`--${name} must be an integer ≥ ${min} (got "${raw}")`);
  return Number(raw);
}

function printResult(result: ExploreResult, out: Out): void {
  const rate = (result.schedules / result.elapsedMs) * 1000;
  out(`explorer: ${result.schedules} schedules, ${result.steps} steps, ${result.invariantsChecked} invariants checked, ${(result.elapsedMs / 1000).toFixed(2)} s, ${rate.toFixed(rate < 10 ? 2 : 0)} schedules/s (seed ${result.seed})\n`);
  if ((result.twinRuns ?? 0) > 0) out(`explorer: ${result.twinRuns} twin runs without the hostile client's attacks (isolation)\n`);
  if ("workerd" in result) printWorkerdStats(result as WorkerdExploreResult, out);
  if (!result.failure) return out("explorer: no invariant broken\n");
  const { violation, schedule, file, shrinks } = result.failure;
  out(`\nexplorer: invariant "${violation.invariant}" broken\n  ${violation.message}\nminimal schedule (${schedule.steps.length} steps, after ${shrinks} shrinks):\n${describeSchedule(schedule)}\n`);
  if (file) out(`\nwritten to ${relative(process.cwd(), file)}\nreplay: npm run lab -- --replay ${relative(process.cwd(), file)}\n`);
}

function printWorkerdStats({ workerd }: WorkerdExploreResult, out: Out): void {
  const skipped = Object.entries(workerd.skipped).map(([kind, count]) => `${count} ${kind}`).join(", ") || "none";
  out(`explorer (workerd): ${workerd.restarts} Worker restarts (${(workerd.restartMs / 1000).toFixed(1)} s); steps skipped (not reproducible on workerd): ${skipped}; shrinking capped at ${WORKERD_SHRINK_RUNS} re-runs\n`);
}

type Runtime = "in-process" | "workerd";

/** `--var KEY=VALUE` (repeatable): Worker variables over the workerd run's short windows. */
function parseVars(raw: string[]): Record<string, string> | undefined {
  if (raw.length === 0) return undefined;
  const vars: Record<string, string> = {};
  for (const entry of raw) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(entry);
    if (!match) throw new UsageError(`--var must look like KEY=VALUE (got "${entry}")`);
    vars[match[1]!] = match[2]!;
  }
  return vars;
}

async function replayFile(path: string, runtimeFlag: Runtime | undefined, vars: Record<string, string> | undefined, out: Out): Promise<number> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new UsageError(`cannot read replay file ${path}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const schedule = scheduleFromFound(raw);
  if (!schedule.ok) throw new UsageError(`${path}: ${schedule.error}`);
  const recorded = (raw as { explorer?: { runtime?: unknown } }).explorer?.runtime;
  const runtime = runtimeFlag ?? (recorded === "workerd" ? "workerd" : "in-process");
  const { trace, violation } =
    runtime === "workerd"
      ? await replayOnWorkerd(schedule.value, vars).then((replayed) => ({ trace: replayed, violation: firstViolation(replayed, REAL_CLOCK) }))
      : await judgeSchedule(schedule.value, (next) => runSchedule(next), true);
  // Real time on workerd: the event log shows what happened, but timings differ from run to run.
  if (runtime === "workerd") out(`replay on workerd (real time)\n`);
  out(eventLog(trace));
  out(`\nschedule:\n${describeSchedule(schedule.value)}\n`);
  if (!violation) {
    out(`replay: every invariant holds for ${path}\n`);
    return 0;
  }
  out(`replay: invariant "${violation.invariant}" broken\n  ${violation.message}\n`);
  return 1;
}

/**
 * `npm run lab -- --explore [--runs N] [--seed S] [--runtime in-process|workerd]` and
 * `npm run lab -- --replay <file-or-seed>`. Exit 0: all invariants hold; 1: one broke (the shrunk
 * schedule is written and printed); 2: bad arguments or a malformed/unsupported replay file.
 */
export async function runExplorerCli(argv: string[], out: Out = (text) => void process.stdout.write(text), err: Out = (text) => void process.stderr.write(text)): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: { explore: { type: "boolean" }, replay: { type: "string" }, runs: { type: "string" }, seed: { type: "string" }, runtime: { type: "string" }, quiet: { type: "boolean" }, var: { type: "string", multiple: true }, "no-hostile": { type: "boolean" }, hostile: { type: "boolean" } },
    });
    if (values.runtime !== undefined && values.runtime !== "in-process" && values.runtime !== "workerd") {
      throw new UsageError(`--runtime must be in-process or workerd (got "${values.runtime}")`);
    }
    const runtimeFlag = values.runtime as Runtime | undefined;
    const runtime: Runtime = runtimeFlag ?? "in-process";
    const vars = parseVars(values.var ?? []);
    if (vars && runtime !== "workerd" && values.replay === undefined) throw new UsageError("--var only applies to --runtime workerd");
    const runs = integer("runs", values.runs, DEFAULT_RUNS, 1);
    if (values.replay !== undefined) {
      if (!/^-?\d+$/.test(values.replay)) return await replayFile(values.replay, runtimeFlag, vars, out);
      const replayOptions = { runs, seed: Number(values.replay), foundDir: null, ...(vars ? { vars } : {}) };
      const result = runtime === "workerd" ? await exploreOnWorkerd(replayOptions) : await explore(replayOptions);
      printResult(result, out);
      return result.failure ? 1 : 0;
    }
    if (!values.explore) throw new UsageError("use --explore [--runs N] [--seed S] or --replay <file-or-seed>");
    const seed = integer("seed", values.seed, 1, -(2 ** 31));
    // workerd runs take seconds per schedule: report each one there.
    const step = runtime === "workerd" ? 1 : Math.max(1, Math.floor(runs / 10));
    const started = performance.now();
    const options = {
      runs,
      seed,
      ...(values["no-hostile"] ? { hostile: false } : values.hostile ? { hostile: true } : {}),
      ...(vars ? { vars } : {}),
      onProgress: (done: number, total: number) => {
        if (!values.quiet && (done % step === 0 || done === total)) err(`explorer: ${done}/${total} schedules (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
      },
    };
    const result = runtime === "workerd" ? await exploreOnWorkerd(options) : await explore(options);
    printResult(result, out);
    await writeExplorerReport(REPORT_DIR, result, runtime);
    out(`report: ${relative(process.cwd(), resolve(REPORT_DIR, "explorer.html"))}\n`);
    return result.failure ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))) {
      err(`explorer: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
