import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ScenarioRun } from "./scenario/records";
import { scenarioTimeline } from "./timeline/from-scenario";
import { renderTimelineSvg } from "./timeline/svg";

const escape = (text: string): string => text.replace(/[&<>"]/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[char]!);

/** One row of the per-scenario timeline: client responses, upstream attempts and breaker samples. */
interface TimelineRow {
  t: number;
  lane: "client" | "upstream" | "breaker" | "step";
  text: string;
  tone: "ok" | "bad" | "info";
}

function timeline(run: ScenarioRun): TimelineRow[] {
  const rows: TimelineRow[] = run.steps.map((step) => ({ t: step.t, lane: "step", text: step.step, tone: "info" }));
  for (const list of Object.values(run.responses)) {
    for (const record of list) {
      const detail = [record.code, record.cause, record.retryAfter ? `Retry-After ${record.retryAfter}` : ""].filter(Boolean).join(" · ");
      rows.push({ t: record.t, lane: "client", text: `${record.label}#${record.index} ${record.method} ${record.path} → ${record.status ?? record.error} (${record.ms} ms) ${detail}`, tone: record.status !== null && record.status < 400 ? "ok" : "bad" });
    }
  }
  for (const event of run.events) {
    rows.push({
      t: event.t - run.startedAt,
      lane: "upstream",
      text: `${event.server} ${event.method} ${event.route} → ${event.status ?? event.outcome}${event.faults.length ? ` [${event.faults.join(", ")}]` : ""}${event.durationMs !== undefined ? ` (${event.durationMs} ms)` : ""}`,
      tone: event.status !== null && event.status < 500 ? "ok" : "bad",
    });
  }
  let previous = "";
  for (const sample of run.circuit) {
    if (sample.state === previous) continue;
    previous = sample.state;
    rows.push({ t: sample.t, lane: "breaker", text: `v2 circuit ${sample.state}${sample.remainingMs ? ` (${Math.ceil(sample.remainingMs / 1000)} s left)` : ""}`, tone: sample.state === "closed" ? "ok" : "bad" });
  }
  return rows.sort((a, b) => a.t - b.t);
}

function scenarioSection(run: ScenarioRun): string {
  const assertions = run.results
    .map((result) => `<tr class="${result.passed ? "ok" : "bad"}"><td>${result.passed ? "✔" : "✘"}</td><td>${escape(result.assertion.check)}</td><td>${escape(result.expected)}</td><td>${escape(result.actual)}</td></tr>`)
    .join("");
  const rows = timeline(run)
    .map((row) => `<tr class="${row.tone} lane-${row.lane}"><td>${(row.t / 1000).toFixed(3)} s</td><td>${row.lane}</td><td>${escape(row.text)}</td></tr>`)
    .join("");
  return `<section id="${escape(run.name)}"><h2 class="${run.passed ? "ok" : "bad"}">${run.passed ? "PASS" : "FAIL"} ${escape(run.name)} <small>${(run.durationMs / 1000).toFixed(1)} s · seed ${run.seed}</small></h2>
<p>${escape(run.description)}</p>${run.error ? `<p class="bad">Error: ${escape(run.error)}</p>` : ""}
<h3>Assertions</h3><table><tr><th></th><th>check</th><th>expected</th><th>actual</th></tr>${assertions}</table>
<h3>Timeline</h3><figure class="chart">${renderTimelineSvg(scenarioTimeline(run), `${run.name}: client, Worker, backend and providers over time, with the v2 circuit's state`)}</figure>
<details open><summary>Event table</summary><table class="timeline"><tr><th>t</th><th>lane</th><th>what</th></tr>${rows}</table></details></section>`;
}

export function renderReport(runs: ScenarioRun[], wallMs: number): string {
  const passed = runs.filter((run) => run.passed).length;
  const summary = runs
    .map((run) => `<tr class="${run.passed ? "ok" : "bad"}"><td><a href="#${escape(run.name)}">${escape(run.name)}</a></td><td>${run.passed ? "pass" : "FAIL"}</td><td>${(run.durationMs / 1000).toFixed(2)} s</td><td>${run.results.filter((r) => !r.passed).length}</td></tr>`)
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>PocketBrain fault lab</title><style>
body{font:14px system-ui,sans-serif;margin:2rem;max-width:1100px}table{border-collapse:collapse;width:100%;margin-bottom:1rem}
td,th{border-bottom:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}.ok{color:#126b12}.bad{color:#b00020}
.lane-step td{color:#555;font-style:italic}.lane-breaker td{font-weight:600}small{color:#666;font-weight:normal}
figure.chart{margin:0 0 .5rem;border:1px solid #ddd;border-radius:4px;padding:4px;background:#fff}summary{cursor:pointer;color:#444}
</style></head><body><h1>PocketBrain fault lab — ${passed}/${runs.length} scenarios passed</h1>
<p>Wall time ${(wallMs / 1000).toFixed(1)} s. Generated ${new Date().toISOString()}.</p>
<p>Chaos explorer: <a href="explorer.html">explorer.html</a> / <a href="explorer.json">explorer.json</a> (written by <code>npm run lab -- --explore</code>).</p>
<table><tr><th>scenario</th><th>result</th><th>time</th><th>failed assertions</th></tr>${summary}</table>
${runs.map(scenarioSection).join("\n")}</body></html>`;
}

/** Writes lab-report/index.html and lab-report/events.jsonl (one fake-server event per line). */
export async function writeReport(dir: string, runs: ScenarioRun[], wallMs: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "index.html"), renderReport(runs, wallMs));
  const lines = runs.flatMap((run) => run.events.map((event) => JSON.stringify({ scenario: run.name, ...event })));
  await writeFile(join(dir, "events.jsonl"), lines.join("\n") + (lines.length ? "\n" : ""));
}
