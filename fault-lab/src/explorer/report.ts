import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { traceTimeline } from "../timeline/from-trace";
import { renderTimelineSvg } from "../timeline/svg";
import { describeSchedule, type ExploreResult } from "./explore";
import { runSchedule } from "../targets/in-process";
import type { Trace } from "../trace/trace";

const escape = (text: string): string => text.replace(/[&<>"]/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[char]!);

/** The explorer's run as JSON (lab-report/explorer.json). */
export function explorerJson(result: ExploreResult, runtime: string): unknown {
  return {
    runtime,
    seed: result.seed,
    runs: result.runs,
    schedules: result.schedules,
    steps: result.steps,
    invariantsChecked: result.invariantsChecked,
    elapsedMs: Math.round(result.elapsedMs),
    schedulesPerSecond: Math.round((result.schedules / result.elapsedMs) * 1000),
    failure: result.failure && {
      invariant: result.failure.violation.invariant,
      message: result.failure.violation.message,
      steps: result.failure.schedule.steps.length,
      shrinks: result.failure.shrinks,
      file: result.failure.file,
      schedule: result.failure.schedule,
    },
  };
}

/** The shrunk counter-example drawn as the lab report draws a scenario (one shared SVG module). */
function counterExampleChart(trace: Trace, runtime: string): string {
  const note = runtime === "in-process" ? "virtual time" : `an in-process replay on virtual time; the ${escape(runtime)} run's real timings differ`;
  return `<h3>Counter-example timeline</h3><p><small>The shrunk schedule replayed (${note}).</small></p>
<figure class="chart">${renderTimelineSvg(traceTimeline(trace), "shrunk counter-example: client, Worker, backend and providers over time, with the v2 circuit's state")}</figure>`;
}

/**
 * An HTML fragment (one <section>) the lab's report embeds or links as its "explorer" section;
 * `trace` is the shrunk schedule's run, drawn as a timeline when there is one.
 */
export function explorerHtml(result: ExploreResult, runtime: string, trace?: Trace): string {
  const rate = ((result.schedules / result.elapsedMs) * 1000).toFixed(0);
  const outcome = result.failure
    ? `<p class="bad">Invariant <strong>${escape(result.failure.violation.invariant)}</strong> broken: ${escape(result.failure.violation.message)}</p>
<pre>${escape(describeSchedule(result.failure.schedule))}</pre>
${trace ? counterExampleChart(trace, runtime) : ""}
<p>Replay: <code>npm run lab -- --replay ${escape(result.failure.file ?? String(result.seed))}</code></p>`
    : `<p class="ok">No invariant broken.</p>`;
  return `<section id="explorer">
<h2>Chaos explorer (${escape(runtime)})</h2>
<p>${result.schedules} schedules (${result.steps} steps), ${result.invariantsChecked} invariants, seed ${result.seed}, ${(result.elapsedMs / 1000).toFixed(1)} s, ${rate} schedules/s.</p>
${outcome}
</section>
`;
}

const PAGE_STYLE = `body{font:14px system-ui,sans-serif;margin:2rem;max-width:1100px}.ok{color:#126b12}.bad{color:#b00020}small{color:#666}
pre{background:#f6f6f6;padding:.5rem;overflow:auto}figure.chart{margin:0 0 .5rem;border:1px solid #ddd;border-radius:4px;padding:4px;background:#fff}`;

/** Writes explorer.json and explorer.html; a found counter-example is replayed in process to draw it. */
export async function writeExplorerReport(dir: string, result: ExploreResult, runtime: string, trace?: Trace): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "explorer.json"), `${JSON.stringify(explorerJson(result, runtime), null, 2)}\n`);
  const drawn = trace ?? (result.failure ? await runSchedule(result.failure.schedule) : undefined);
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>PocketBrain chaos explorer</title><style>${PAGE_STYLE}</style></head><body>
${explorerHtml(result, runtime, drawn)}</body></html>
`;
  await writeFile(join(dir, "explorer.html"), page);
}
