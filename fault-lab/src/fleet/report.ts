import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { FleetFigures, PhaseFigures } from "./figures";
import type { Violation } from "../invariants/types";
import { fleetSeries } from "./series";
import { summaryLine } from "./summary";
import { renderBarChart, renderLineChart, type Bar } from "./svg";
import type { FleetTrace } from "./trace";

const escape = (text: string): string => text.replace(/[&<>"]/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[char]!);

const tone = (phase: PhaseFigures): Bar["tone"] => (phase.outage ? "bad" : "ok");

function figureCharts(figures: FleetFigures): string {
  const bars = (pick: (phase: PhaseFigures) => number | null): Bar[] => figures.phases.map((phase) => ({ label: phase.name, value: pick(phase), tone: tone(phase) }));
  const charts = [
    renderBarChart("global-object calls per AI call", bars((phase) => phase.globalCallsPerAi), (value) => value.toFixed(2)),
    renderBarChart("global object busy fraction", bars((phase) => phase.busyFraction), (value) => `${(value * 100).toFixed(1)} %`),
    renderBarChart("global object max queue", bars((phase) => phase.maxQueue), (value) => String(value)),
    renderBarChart("added latency per AI call, p50 (ms)", bars((phase) => phase.addedLatencyP50Ms), (value) => value.toFixed(0)),
    renderBarChart("added latency per AI call, p99 (ms)", bars((phase) => phase.addedLatencyP99Ms), (value) => value.toFixed(0)),
    renderBarChart("time from heal until every isolate serves (s)", bars((phase) => (phase.recoveryMs === null ? null : phase.recoveryMs / 1000)), (value) => value.toFixed(1)),
  ];
  return charts.map((chart) => `<figure class="chart bar">${chart}</figure>`).join("");
}

function windowTable(trace: FleetTrace, figures: FleetFigures): string {
  const at = (t: number | null) => (t === null ? "–" : `${((t - trace.startedAt) / 1000).toFixed(2)} s`);
  const rows = figures.windows
    .map((window) => `<tr class="${window.probes > 1 ? "bad" : "ok"}"><td>${escape(window.provider)}</td><td>${at(window.openedAt)}</td><td>${at(window.halfOpenAt)}</td><td>${at(window.endedAt)} (${window.ending})</td><td>${window.requests}</td><td>${window.probes}</td></tr>`)
    .join("");
  const backend = figures.phases
    .filter((phase) => phase.backendPerWindow.length > 0)
    .map((phase) => `<tr><td>${escape(phase.name)}</td><td>${phase.backendPerWindow.join(", ")}</td><td>${phase.backendProbesPerWindow.join(", ")}</td><td>${phase.backendAttemptsPerV2?.toFixed(2) ?? "–"}</td></tr>`)
    .join("");
  return `<h3>Provider breaker windows, fleet-wide</h3><table><tr><th>provider</th><th>opened</th><th>probe granted</th><th>ended</th><th>provider requests in window</th><th>probes (half-open)</th></tr>${rows || `<tr><td colspan="6">none</td></tr>`}</table>
<h3>Backend requests per circuit window (${trace.config.vpsOpenMs / 1000} s) during the backend outage</h3><table><tr><th>phase</th><th>requests per window (first = onset)</th><th>of which probes (isolate circuit half-open)</th><th>backend attempts per /api/v2 request</th></tr>${backend}</table>`;
}

function phaseTable(figures: FleetFigures): string {
  const fixed = (value: number | null, digits = 2) => (value === null ? "–" : value.toFixed(digits));
  const rows = figures.phases
    .map(
      (phase) =>
        `<tr><td>${escape(phase.name)}</td><td>${(phase.fromMs / 1000).toFixed(0)}–${(phase.toMs / 1000).toFixed(0)} s</td><td>${phase.aiOk}/${phase.aiRequests}</td><td>${phase.v2Ok}/${phase.v2Requests}</td><td>${fixed(phase.globalCallsPerAi)}</td><td>${fixed(phase.objectCallsPerAi)}</td><td>${(phase.busyFraction * 100).toFixed(1)} %</td><td>${phase.maxQueue} / ${fixed(phase.avgQueue)}</td><td>${fixed(phase.addedLatencyP50Ms, 0)} / ${fixed(phase.addedLatencyP99Ms, 0)}</td><td>${phase.recoveryMs === null ? "–" : fixed(phase.recoveryMs / 1000, 1)}</td></tr>`,
    )
    .join("");
  return `<table><tr><th>phase</th><th>time</th><th>AI ok/all</th><th>/api/v2 ok/all</th><th>global calls per AI</th><th>object calls per AI</th><th>object busy</th><th>queue max / avg</th><th>added ms p50 / p99</th><th>recovery s</th></tr>${rows}</table>`;
}

/** The fleet section: figures per phase (tables and bar charts) and the run over time. */
export function renderFleetSection(trace: FleetTrace, figures: FleetFigures, violations: readonly Violation[], wallMs: number): string {
  const series = fleetSeries(trace);
  const over = (title: string, specs: Parameters<typeof renderLineChart>[4], unit: string) => `<figure class="chart">${renderLineChart(title, series, trace.phases, trace.startedAt, specs, unit)}</figure>`;
  const verdict = violations.length
    ? `<ul class="bad">${violations.map((found) => `<li><b>${escape(found.invariant)}</b>: ${escape(found.message)}</li>`).join("")}</ul>`
    : `<p class="ok">Fleet invariants: all hold.</p>`;
  return `<section id="fleet"><h2>Fleet simulation — ${trace.config.isolates} isolates, seed ${trace.config.seed}</h2>
<p><code>${escape(summaryLine(trace, figures, wallMs))}</code></p>${verdict}
<p>${trace.config.aiPerSec} AI + ${trace.config.v2PerSec} /api/v2 requests/s per isolate; object service time ${trace.config.serviceMs} ms; round trips up to ${trace.config.maxRttMs.toFixed(0)} ms.${trace.config.isolateStatePerIsolate ? "" : " All isolates share one Worker module state (isolate-state not merged)."}</p>
${phaseTable(figures)}${figureCharts(figures)}${windowTable(trace, figures)}
${over("AI answers", [{ name: "aiOk", label: "AI ok", color: "#2e7d32" }, { name: "aiFailed", label: "AI failed / refused", color: "#c62828" }], "requests")}
${over("/api/v2 answers", [{ name: "v2Ok", label: "/api/v2 ok", color: "#2e7d32" }, { name: "v2Failed", label: "/api/v2 failed / refused", color: "#c62828" }], "requests")}
${over("Upstream requests", [{ name: "providerRequests", label: "provider requests", color: "#3949ab" }, { name: "backendRequests", label: "backend requests", color: "#e07b00" }], "requests")}
${over("Global object", [{ name: "globalCalls", label: "calls", color: "#3949ab" }, { name: "globalQueueMax", label: "max queue", color: "#c62828" }], "calls")}
</section>`;
}

export function renderFleetReport(trace: FleetTrace, figures: FleetFigures, violations: readonly Violation[], wallMs: number): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>PocketBrain fault lab — fleet</title><style>
body{font:14px system-ui,sans-serif;margin:2rem;max-width:1100px}table{border-collapse:collapse;width:100%;margin-bottom:1rem}
td,th{border-bottom:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}.ok{color:#126b12}.bad{color:#b00020}
figure.chart{margin:0 0 .5rem;border:1px solid #ddd;border-radius:4px;padding:4px;background:#fff}figure.bar{display:inline-block;margin-right:.5rem}
</style></head><body><p><a href="index.html">← lab report</a></p>${renderFleetSection(trace, figures, violations, wallMs)}<p>Generated ${new Date().toISOString()}.</p></body></html>`;
}

/** Writes lab-report/fleet.html and lab-report/fleet.json (the figures). */
export async function writeFleetReport(dir: string, trace: FleetTrace, figures: FleetFigures, violations: readonly Violation[], wallMs: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, "fleet.html");
  await writeFile(path, renderFleetReport(trace, figures, violations, wallMs));
  await writeFile(join(dir, "fleet.json"), JSON.stringify({ summary: summaryLine(trace, figures, wallMs), config: trace.config, figures, violations }, null, 2) + "\n");
  return path;
}
