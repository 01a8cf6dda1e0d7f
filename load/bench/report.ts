/** Pure formatting of bench results: the table, the comparison lines and the final summary line. */
import { median } from "../lib/stats";
import { formatTable } from "../lib/table";
import type { WrkResult } from "./wrk";

export interface TargetResult {
  name: string;
  latency: WrkResult;
  throughput: WrkResult;
}

const ms = (value: number) => value.toFixed(3);

/** Latencies are differences of about 0.1 ms: a figure from a coarser tool says nothing at that scale. */
const FINEST_USEFUL_RESOLUTION_MS = 0.01;
const NOT_RESOLVED = "n/a";

const resolves = (...measured: readonly WrkResult[]) => measured.every((m) => m.resolutionMs <= FINEST_USEFUL_RESOLUTION_MS);

/** A latency in whole microseconds, or "n/a" when the tool that measured it cannot resolve it. */
const us = (valueMs: number, measured: WrkResult) => (resolves(measured) ? Math.round(valueMs * 1000).toString() : NOT_RESOLVED);

export function resultTable(results: readonly TargetResult[]): string {
  const header = ["target", "c=1 p50 µs", "c=1 p99 µs", "c=50 req/s", "c=50 p50 µs", "c=50 p99 µs", "non-2xx"];
  const rows = results.map((r) => [
    r.name,
    us(r.latency.p50Ms, r.latency),
    us(r.latency.p99Ms, r.latency),
    r.throughput.requestsPerSec.toFixed(0),
    us(r.throughput.p50Ms, r.throughput),
    us(r.throughput.p99Ms, r.throughput),
    `${r.latency.non2xx + r.throughput.non2xx}/${r.latency.requests + r.throughput.requests}`,
  ]);
  return formatTable(header, rows);
}

export interface Comparison {
  addedP50Ms: number;
  addedP99Ms: number;
  throughputRatio: number;
  /** False when either side was measured by a tool too coarse for the latency difference. */
  latencyResolved: boolean;
}

/** `subject` measured against `baseline`: latency added at c=1, throughput as a fraction of the baseline's at c=50. */
export function compare(subject: TargetResult, baseline: TargetResult): Comparison {
  return {
    addedP50Ms: subject.latency.p50Ms - baseline.latency.p50Ms,
    addedP99Ms: subject.latency.p99Ms - baseline.latency.p99Ms,
    throughputRatio: subject.throughput.requestsPerSec / baseline.throughput.requestsPerSec,
    latencyResolved: resolves(subject.latency, baseline.latency),
  };
}

export function comparisonLine(label: string, c: Comparison): string {
  const latency = (value: number) => (c.latencyResolved ? ms(value) : NOT_RESOLVED);
  return `${label} p50=${latency(c.addedP50Ms)} p99=${latency(c.addedP99Ms)} throughput-ratio=${c.throughputRatio.toFixed(3)}`;
}

/** One breakdown target's measurements over interleaved rounds. */
export interface RoundSamples {
  name: string;
  p50Ms: number[];
  requestsPerSec: number[];
}

/**
 * Medians over the rounds, each against the baseline's medians: added p50 at c=1 and throughput as
 * a fraction of the baseline's at c=50. The min–max column shows how much the machine wobbled.
 */
export function breakdownTable(targets: readonly RoundSamples[], baselineName: string): string {
  const baseline = targets.find((t) => t.name === baselineName);
  if (!baseline || baseline.p50Ms.length === 0) throw new Error(`breakdown: no samples for the baseline "${baselineName}".`);
  const baseP50 = median(baseline.p50Ms);
  const baseRps = median(baseline.requestsPerSec);
  const header = ["target", "c=1 p50 ms", "added p50 ms", "c=50 req/s", "req/s min..max", "throughput vs trivial"];
  const rows = targets.map((t) => {
    const p50 = median(t.p50Ms);
    const rps = median(t.requestsPerSec);
    return [t.name, p50.toFixed(3), (p50 - baseP50).toFixed(3), rps.toFixed(0), `${Math.min(...t.requestsPerSec).toFixed(0)}..${Math.max(...t.requestsPerSec).toFixed(0)}`, (rps / baseRps).toFixed(3)];
  });
  return formatTable(header, rows);
}
