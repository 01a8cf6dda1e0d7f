import { readFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { firstViolation } from "./checks";
import { DEFAULT_RUNS, describeSchedule, explore, type ExploreResult } from "./explore";
import { runSchedule } from "./harness";
import { writeExplorerReport } from "./report";
import { scheduleFromFound } from "./schedule";
import { eventLog } from "./trace";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
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
  out(`explorer: ${result.schedules} schedules, ${result.steps} steps, ${result.invariantsChecked} invariants checked, ${(result.elapsedMs / 1000).toFixed(2)} s, ${rate.toFixed(0)} schedules/s (seed ${result.seed})\n`);
  if (!result.failure) return out("explorer: no invariant broken\n");
  const { violation, schedule, file, shrinks } = result.failure;
  out(`\nexplorer: invariant "${violation.invariant}" broken\n  ${violation.message}\nminimal schedule (${schedule.steps.length} steps, after ${shrinks} shrinks):\n${describeSchedule(schedule)}\n`);
  if (file) out(`\nwritten to ${relative(process.cwd(), file)}\nreplay: npm run lab -- --replay ${relative(process.cwd(), file)}\n`);
}

async function replayFile(path: string, out: Out): Promise<number> {
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
  const trace = await runSchedule(schedule.value);
  out(eventLog(trace));
  const violation = firstViolation(trace);
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
      options: { explore: { type: "boolean" }, replay: { type: "string" }, runs: { type: "string" }, seed: { type: "string" }, runtime: { type: "string" }, quiet: { type: "boolean" } },
    });
    const runtime = values.runtime ?? "in-process";
    if (runtime === "workerd") throw new UsageError("--runtime workerd is not available yet: the explorer runs in-process only (see docs/explorer.md)");
    if (runtime !== "in-process") throw new UsageError(`--runtime must be in-process or workerd (got "${runtime}")`);
    const runs = integer("runs", values.runs, DEFAULT_RUNS, 1);
    if (values.replay !== undefined) {
      if (!/^-?\d+$/.test(values.replay)) return await replayFile(values.replay, out);
      const result = await explore({ runs, seed: Number(values.replay), foundDir: null });
      printResult(result, out);
      return result.failure ? 1 : 0;
    }
    if (!values.explore) throw new UsageError("use --explore [--runs N] [--seed S] or --replay <file-or-seed>");
    const seed = integer("seed", values.seed, 1, -(2 ** 31));
    const step = Math.max(1, Math.floor(runs / 10));
    const result = await explore({
      runs,
      seed,
      onProgress: (done, total) => {
        if (!values.quiet && (done % step === 0 || done === total)) err(`explorer: ${done}/${total} schedules\n`);
      },
    });
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
