/**
 * The drawable timeline of one run, in milliseconds from the run's start: what the lab report and
 * the explorer report both draw (svg.ts). Built from the event log by from-scenario.ts (lab) and
 * from-trace.ts (explorer), so a picture never shows anything the log does not contain.
 */

export type Tone = "ok" | "warn" | "bad" | "info";

/** One request or attempt on a lane, from when it was sent to when it was answered. */
export interface Span {
  lane: string;
  from: number;
  to: number;
  tone: Tone;
  /** Tooltip and, when there is room, the label under the mark. */
  label: string;
  /** probe: the one half-open attempt; reject: answered by the Worker without an upstream call. */
  mark?: "probe" | "reject";
}

/** A stretch of time the /api/v2 circuit spent in one state. */
export interface CircuitBand {
  from: number;
  to: number;
  state: string;
  /** Time left in the open window when the band starts (0 unless open). */
  remainingMs: number;
}

/** A Retry-After the client was told to wait, drawn as a draining bar on its lane. */
export interface Countdown {
  lane: string;
  from: number;
  to: number;
  label: string;
}

export interface Timeline {
  lanes: string[];
  spans: Span[];
  circuit: CircuitBand[];
  countdowns: Countdown[];
  steps: { t: number; label: string }[];
  /** Right edge of the time axis. */
  endMs: number;
}

export interface StateSample {
  t: number;
  state: string;
  remainingMs: number;
}

/** Consecutive samples in the same state merged into bands; the last band runs to `endMs`. */
export function circuitBands(samples: readonly StateSample[], endMs: number): CircuitBand[] {
  const sorted = [...samples].sort((a, b) => a.t - b.t);
  const bands: CircuitBand[] = [];
  for (const sample of sorted) {
    const last = bands.at(-1);
    if (last && last.state === sample.state) continue;
    if (last) last.to = sample.t;
    bands.push({ from: sample.t, to: endMs, state: sample.state, remainingMs: sample.state === "open" ? sample.remainingMs : 0 });
  }
  return bands.filter((band) => band.to > band.from || band === bands.at(-1));
}

export function toneForStatus(status: number | null): Tone {
  if (status === null) return "bad";
  if (status >= 500) return "bad";
  if (status >= 400) return "warn";
  return "ok";
}

/** Retry-After as seconds (a delay or an HTTP-date relative to `nowMs`), or null. */
export function retryAfterSeconds(value: string | null, nowMs: number): number | null {
  if (value === null || value.trim() === "") return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - nowMs) / 1000));
}
