import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describeSchedule, type ExploreResult } from "./explore";

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

/** An HTML fragment (one <section>) the lab's report embeds or links as its "explorer" section. */
export function explorerHtml(result: ExploreResult, runtime: string): string {
  const rate = ((result.schedules / result.elapsedMs) * 1000).toFixed(0);
  const outcome = result.failure
    ? `<p class="bad">Invariant <strong>${escape(result.failure.violation.invariant)}</strong> broken: ${escape(result.failure.violation.message)}</p>
<pre>${escape(describeSchedule(result.failure.schedule))}</pre>
<p>Replay: <code>npm run lab -- --replay ${escape(result.failure.file ?? String(result.seed))}</code></p>`
    : `<p class="ok">No invariant broken.</p>`;
  return `<section id="explorer">
<h2>Chaos explorer (${escape(runtime)})</h2>
<p>${result.schedules} schedules (${result.steps} steps), ${result.invariantsChecked} invariants, seed ${result.seed}, ${(result.elapsedMs / 1000).toFixed(1)} s, ${rate} schedules/s.</p>
${outcome}
</section>
`;
}

export async function writeExplorerReport(dir: string, result: ExploreResult, runtime: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "explorer.json"), `${JSON.stringify(explorerJson(result, runtime), null, 2)}\n`);
  await writeFile(join(dir, "explorer.html"), explorerHtml(result, runtime));
}
