import type { CircuitBand, Countdown, Span, Timeline, Tone } from "./model";

/**
 * A Timeline as an inline SVG swimlane chart: a time axis, the circuit's state as a band (its open
 * window drawn as a draining Retry-After countdown), one lane per actor (client, Worker, backend,
 * each provider) with requests and attempts as marks, the single probe as a diamond. Pure string
 * output, no script and no external resource, so the report stays one self-contained file.
 */

const WIDTH = 1100;
const LEFT = 96;
const RIGHT = 18;
const AXIS_Y = 22;
const CIRCUIT_Y = 30;
const CIRCUIT_H = 26;
const LANE_TOP = 66;
const LANE_H = 40;
const LABELLED_MARKS_PER_LANE = 14;
/** A mark's label is drawn only this far (px) from the previous one on its lane: no overprinting. */
const LABEL_GAP = 84;
const STEP_NUMBER_GAP = 12;

const TONE_COLOR: Record<Tone, string> = { ok: "#2e7d32", warn: "#e07b00", bad: "#c62828", info: "#3949ab" };
const STATE_FILL: Record<string, string> = { closed: "#e3f2e5", open: "#ffcdd2", "half-open": "#ffe0b2" };

const escape = (text: string): string => text.replace(/[&<>"']/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char]!);
const num = (value: number): string => (Math.round(value * 10) / 10).toString();

/** 1, 2 or 5 × 10^k ms, so that about `target` ticks fit. */
export function tickStep(spanMs: number, target = 10): number {
  const raw = Math.max(spanMs, 1) / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const factor = [1, 2, 5, 10].find((f) => f * power >= raw) ?? 10;
  return factor * power;
}

function seconds(ms: number): string {
  return ms >= 1000 || ms === 0 ? `${num(ms / 1000)} s` : `${Math.round(ms)} ms`;
}

interface Scale {
  x(t: number): number;
  laneY(lane: string): number;
}

function axis(timeline: Timeline, scale: Scale, bottom: number): string[] {
  const step = tickStep(timeline.endMs);
  const parts: string[] = [];
  for (let t = 0; t <= timeline.endMs + 1e-9; t += step) {
    const x = num(scale.x(t));
    parts.push(`<line x1="${x}" y1="${AXIS_Y}" x2="${x}" y2="${bottom}" class="grid"/>`, `<text x="${x}" y="${AXIS_Y - 6}" class="tick">${seconds(t)}</text>`);
  }
  return parts;
}

function circuitRow(bands: readonly CircuitBand[], scale: Scale): string[] {
  const parts = [`<text x="${LEFT - 8}" y="${CIRCUIT_Y + CIRCUIT_H / 2 + 4}" class="lane-name">circuit</text>`];
  for (const band of bands) {
    const x1 = scale.x(band.from);
    const x2 = Math.max(scale.x(band.to), x1 + 1);
    const fill = STATE_FILL[band.state] ?? "#eeeeee";
    const title = `v2 circuit ${band.state} ${seconds(band.from)} → ${seconds(band.to)}${band.remainingMs ? ` (Retry-After ${Math.ceil(band.remainingMs / 1000)} s)` : ""}`;
    parts.push(`<g class="band state-${escape(band.state)}"><title>${escape(title)}</title><rect x="${num(x1)}" y="${CIRCUIT_Y}" width="${num(x2 - x1)}" height="${CIRCUIT_H}" fill="${fill}"/>`);
    if (band.state === "open" && band.remainingMs > 0) {
      // The open window drains to zero at the moment the next request may probe.
      const end = scale.x(band.from + band.remainingMs);
      parts.push(`<polygon points="${num(x1)},${CIRCUIT_Y + 4} ${num(end)},${CIRCUIT_Y + CIRCUIT_H} ${num(x1)},${CIRCUIT_Y + CIRCUIT_H}" class="countdown-open"/>`);
    }
    const text = band.state === "open" ? `open · Retry-After ${Math.ceil(band.remainingMs / 1000)} s` : band.state;
    if (x2 - x1 > text.length * 6.2) parts.push(`<text x="${num(x1 + 4)}" y="${CIRCUIT_Y + 16}" class="band-text">${escape(text)}</text>`);
    parts.push("</g>");
  }
  return parts;
}

function countdownMark(countdown: Countdown, scale: Scale): string {
  const y = scale.laneY(countdown.lane) - 16;
  const x1 = scale.x(countdown.from);
  const x2 = Math.max(scale.x(countdown.to), x1 + 2);
  // Near the right edge the label ends at the mark instead of running off the chart.
  const atEdge = x1 + countdown.label.length * 5.5 > WIDTH - RIGHT;
  const text = atEdge ? `<text x="${num(x1 - 3)}" y="${y - 2}" class="small" text-anchor="end">` : `<text x="${num(x1 + 3)}" y="${y - 2}" class="small">`;
  return `<g class="countdown"><title>${escape(countdown.label)}</title><polygon points="${num(x1)},${y} ${num(x2)},${y + 6} ${num(x1)},${y + 6}"/>${text}${escape(countdown.label)}</text></g>`;
}

function spanMark(span: Span, scale: Scale, labelled: boolean): string {
  const y = scale.laneY(span.lane);
  const x1 = scale.x(span.from);
  const x2 = Math.max(scale.x(span.to), x1);
  const color = TONE_COLOR[span.tone];
  const parts = [`<g class="mark tone-${span.tone}${span.mark ? ` ${span.mark}` : ""}"><title>${escape(span.label)}</title>`];
  if (x2 - x1 >= 2) parts.push(`<line x1="${num(x1)}" y1="${y}" x2="${num(x2)}" y2="${y}" stroke="${color}" stroke-width="4" stroke-linecap="round" opacity="0.55"/>`);
  if (span.mark === "probe") {
    parts.push(`<polygon points="${num(x2)},${y - 9} ${num(x2 + 8)},${y} ${num(x2)},${y + 9} ${num(x2 - 8)},${y}" fill="${color}" stroke="#111" stroke-width="1.2"/>`, `<text x="${num(x2)}" y="${y - 12}" class="probe-text">probe</text>`);
  } else if (span.mark === "reject") {
    parts.push(`<rect x="${num(x2 - 4)}" y="${y - 4}" width="8" height="8" fill="#fff" stroke="${color}" stroke-width="2"/>`);
  } else {
    parts.push(`<circle cx="${num(x2)}" cy="${y}" r="4" fill="${color}"/>`);
  }
  if (labelled && span.mark !== "probe") parts.push(`<text x="${num(x2)}" y="${y + 16}" class="small mark-text">${escape(shortLabel(span.label))}</text>`);
  parts.push("</g>");
  return parts.join("");
}

/** The status (or cause) part of a label: what fits under a mark. */
function shortLabel(label: string): string {
  const arrow = label.lastIndexOf("→");
  return (arrow === -1 ? label : label.slice(arrow + 1)).trim().split(/\s+/).slice(0, 2).join(" ");
}

const legend = (y: number): string => `<g class="legend" transform="translate(${LEFT},${y})">
<circle cx="6" cy="0" r="4" fill="${TONE_COLOR.ok}"/><text x="14" y="4">2xx/3xx</text>
<circle cx="76" cy="0" r="4" fill="${TONE_COLOR.warn}"/><text x="84" y="4">4xx</text>
<circle cx="126" cy="0" r="4" fill="${TONE_COLOR.bad}"/><text x="134" y="4">5xx / no answer</text>
<rect x="240" y="-4" width="8" height="8" fill="#fff" stroke="${TONE_COLOR.bad}" stroke-width="2"/><text x="254" y="4">answered by the Worker (circuit open)</text>
<polygon points="486,-7 493,0 486,7 479,0" fill="${TONE_COLOR.ok}" stroke="#111"/><text x="498" y="4">half-open probe</text>
<rect x="600" y="-6" width="14" height="12" fill="${STATE_FILL.open}"/><text x="620" y="4">circuit open (drains to the probe time)</text>
<polygon points="850,-3 880,3 850,3" class="countdown-poly"/><text x="886" y="4">Retry-After</text>
</g>`;

const STYLE = `<style>
.grid{stroke:#e6e6e6;stroke-width:1}.tick,.small,.legend text,.band-text,.probe-text{font:10px system-ui,sans-serif;fill:#444}
.tick{text-anchor:middle}.lane-name{font:600 12px system-ui,sans-serif;fill:#222;text-anchor:end}.lane-line{stroke:#bbb;stroke-width:1}
.band-text{font-weight:600;fill:#7f1d1d}.probe-text{text-anchor:middle;font-weight:700;fill:#111}.mark-text{text-anchor:middle}
.countdown-open{fill:#e57373;opacity:.55}.countdown polygon,.countdown-poly{fill:#78909c;opacity:.55}.step line{stroke:#5c6bc0;stroke-dasharray:3 3}
.step text{font:600 10px system-ui,sans-serif;fill:#3949ab;text-anchor:middle}
</style>`;

/** The chart; `title` is its accessible name. */
export function renderTimelineSvg(timeline: Timeline, title: string): string {
  const endMs = Math.max(timeline.endMs, 1);
  const lanesBottom = LANE_TOP + timeline.lanes.length * LANE_H;
  const height = lanesBottom + 30;
  const scale: Scale = {
    x: (t) => LEFT + (Math.min(Math.max(t, 0), endMs) / endMs) * (WIDTH - LEFT - RIGHT),
    laneY: (lane) => LANE_TOP + Math.max(0, timeline.lanes.indexOf(lane)) * LANE_H + LANE_H / 2 + 4,
  };
  const fitted: Timeline = { ...timeline, endMs };
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline-chart" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="${escape(title)}">`,
    `<title>${escape(title)}</title>`,
    STYLE,
    ...axis(fitted, scale, lanesBottom),
    ...circuitRow(timeline.circuit, scale),
  ];
  for (const lane of timeline.lanes) {
    const y = scale.laneY(lane);
    parts.push(`<text x="${LEFT - 8}" y="${y + 4}" class="lane-name">${escape(lane)}</text>`, `<line x1="${LEFT}" y1="${y}" x2="${WIDTH - RIGHT}" y2="${y}" class="lane-line"/>`);
  }
  let lastStepX = -Infinity;
  timeline.steps.forEach((step, index) => {
    const xValue = scale.x(step.t);
    const x = num(xValue);
    const numbered = xValue - lastStepX >= STEP_NUMBER_GAP;
    if (numbered) lastStepX = xValue;
    parts.push(`<g class="step"><title>${escape(`step ${index + 1}: ${step.label}`)}</title><line x1="${x}" y1="${LANE_TOP - 6}" x2="${x}" y2="${lanesBottom}"/>${numbered ? `<text x="${x}" y="${LANE_TOP - 1}">${index + 1}</text>` : ""}</g>`);
  });
  for (const countdown of timeline.countdowns) parts.push(countdownMark(countdown, scale));
  const perLane = new Map<string, number>();
  for (const span of timeline.spans) perLane.set(span.lane, (perLane.get(span.lane) ?? 0) + 1);
  const lastLabelX = new Map<string, number>();
  for (const span of [...timeline.spans].sort((a, b) => a.to - b.to)) {
    const x = scale.x(span.to);
    const labelled = (perLane.get(span.lane) ?? 0) <= LABELLED_MARKS_PER_LANE && x - (lastLabelX.get(span.lane) ?? -Infinity) >= LABEL_GAP;
    if (labelled) lastLabelX.set(span.lane, x);
    parts.push(spanMark(span, scale, labelled));
  }
  parts.push(legend(lanesBottom + 18), "</svg>");
  return parts.join("\n");
}
