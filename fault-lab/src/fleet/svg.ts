import type { FleetSeries, SeriesName } from "./series";
import type { PhaseSpan } from "./trace";

/**
 * Inline SVG charts for the fleet report, in the lab report's style (fault-lab/src/timeline/svg.ts):
 * self-contained strings, no script. A line chart over time with the phases as bands, and a bar
 * chart of one figure per phase.
 */

const WIDTH = 1100;
const LEFT = 70;
const RIGHT = 16;
const TOP = 24;
const PLOT_H = 150;
const PHASE_FILL: Record<string, string> = { provider: "#ffcdd2", backend: "#ffe0b2", none: "#e3f2e5" };

const escape = (text: string): string => text.replace(/[&<>"']/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char]!);
const num = (value: number): string => (Math.round(value * 10) / 10).toString();

export interface LineSpec {
  name: SeriesName;
  label: string;
  color: string;
}

const STYLE = `<style>.grid{stroke:#eee}.tick{font:11px system-ui,sans-serif;fill:#555}.label{font:12px system-ui,sans-serif;fill:#222}.phase{font:11px system-ui,sans-serif;fill:#333}</style>`;

/** Lines over time (per bucket), with the phases drawn as background bands. */
export function renderLineChart(title: string, series: FleetSeries, phases: readonly PhaseSpan[], startedAt: number, specs: readonly LineSpec[], unit: string): string {
  const spanMs = Math.max(1, series.t.length * series.bucketMs);
  const x = (t: number) => LEFT + ((WIDTH - LEFT - RIGHT) * t) / spanMs;
  const max = Math.max(1, ...specs.flatMap((spec) => series.lines[spec.name]));
  const y = (value: number) => TOP + PLOT_H - (PLOT_H * value) / max;
  const parts: string[] = [];
  for (const phase of phases) {
    const x1 = x(phase.from - startedAt);
    const x2 = x(phase.to - startedAt);
    parts.push(`<rect x="${num(x1)}" y="${TOP}" width="${num(Math.max(1, x2 - x1))}" height="${PLOT_H}" fill="${PHASE_FILL[phase.outage ?? "none"]}" opacity="0.6"/>`);
    parts.push(`<text x="${num(x1 + 4)}" y="${TOP + 12}" class="phase">${escape(phase.name)}</text>`);
  }
  for (const fraction of [0, 0.5, 1]) {
    const value = max * fraction;
    parts.push(`<line x1="${LEFT}" y1="${num(y(value))}" x2="${WIDTH - RIGHT}" y2="${num(y(value))}" class="grid"/>`, `<text x="${LEFT - 6}" y="${num(y(value) + 4)}" text-anchor="end" class="tick">${num(value)}</text>`);
  }
  const tickEvery = Math.max(1, Math.ceil(series.t.length / 12));
  for (let index = 0; index < series.t.length; index += tickEvery) {
    parts.push(`<text x="${num(x(series.t[index]!))}" y="${TOP + PLOT_H + 14}" text-anchor="middle" class="tick">${num(series.t[index]! / 1000)} s</text>`);
  }
  for (const spec of specs) {
    const points = series.lines[spec.name].map((value, index) => `${num(x(series.t[index]! + series.bucketMs / 2))},${num(y(value))}`).join(" ");
    parts.push(`<polyline points="${points}" fill="none" stroke="${spec.color}" stroke-width="1.6"><title>${escape(spec.label)}</title></polyline>`);
  }
  const legend = specs.map((spec, index) => `<rect x="${LEFT + index * 200}" y="${TOP + PLOT_H + 24}" width="12" height="4" fill="${spec.color}"/><text x="${LEFT + index * 200 + 16}" y="${TOP + PLOT_H + 29}" class="label">${escape(spec.label)}</text>`).join("");
  const height = TOP + PLOT_H + 40;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="${escape(title)}">${STYLE}<title>${escape(title)}</title><text x="${LEFT}" y="14" class="label">${escape(title)} (${escape(unit)} per ${num(series.bucketMs / 1000)} s)</text>${parts.join("")}${legend}</svg>`;
}

export interface Bar {
  label: string;
  value: number | null;
  tone: "ok" | "bad" | "info";
}

const BAR_COLOR: Record<Bar["tone"], string> = { ok: "#2e7d32", bad: "#c62828", info: "#3949ab" };

/** One bar per phase for one figure; a missing value is drawn as "–". */
export function renderBarChart(title: string, bars: readonly Bar[], format: (value: number) => string): string {
  const width = 520;
  const barH = 18;
  const labelW = 130;
  const height = 22 + bars.length * (barH + 6);
  const max = Math.max(1e-9, ...bars.map((bar) => bar.value ?? 0));
  const rows = bars.map((bar, index) => {
    const y = 22 + index * (barH + 6);
    const w = bar.value === null ? 0 : ((width - labelW - 80) * bar.value) / max;
    return `<text x="${labelW - 6}" y="${y + 13}" text-anchor="end" class="tick">${escape(bar.label)}</text><rect x="${labelW}" y="${y}" width="${num(Math.max(bar.value ? 1 : 0, w))}" height="${barH}" fill="${BAR_COLOR[bar.tone]}"/><text x="${num(labelW + w + 6)}" y="${y + 13}" class="tick">${bar.value === null ? "–" : escape(format(bar.value))}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" role="img" aria-label="${escape(title)}">${STYLE}<text x="4" y="14" class="label">${escape(title)}</text>${rows.join("")}</svg>`;
}
