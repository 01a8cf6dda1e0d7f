/** Pure formatting of bench results: the table, the comparison lines and the final summary line. */
import { formatTable } from "../lib/table";
import type { WrkResult } from "./wrk";

export interface TargetResult {
  name: string;
  latency: WrkResult;
  throughput: WrkResult;
}

const ms = (value: number) => value.toFixed(3);

export function resultTable(results: readonly TargetResult[]): string {
  const header = ["target", "c=1 p50 ms", "c=1 p99 ms", "c=50 req/s", "c=50 p50 ms", "c=50 p99 ms", "non-2xx"];
  const rows = results.map((r) => [
    r.name,
    ms(r.latency.p50Ms),
    ms(r.latency.p99Ms),
    r.throughput.requestsPerSec.toFixed(0),
    ms(r.throughput.p50Ms),
    ms(r.throughput.p99Ms),
    `${r.latency.non2xx + r.throughput.non2xx}/${r.latency.requests + r.throughput.requests}`,
  ]);
  return formatTable(header, rows);
}

export interface Comparison {
  addedP50Ms: number;
  addedP99Ms: number;
  throughputRatio: number;
}

/** `subject` measured against `baseline`: latency added at c=1, throughput as a fraction of the baseline's at c=50. */
export function compare(subject: TargetResult, baseline: TargetResult): Comparison {
  return {
    addedP50Ms: subject.latency.p50Ms - baseline.latency.p50Ms,
    addedP99Ms: subject.latency.p99Ms - baseline.latency.p99Ms,
    throughputRatio: subject.throughput.requestsPerSec / baseline.throughput.requestsPerSec,
  };
}

export function comparisonLine(label: string, c: Comparison): string {
  return `${label} p50=${ms(c.addedP50Ms)} p99=${ms(c.addedP99Ms)} throughput-ratio=${c.throughputRatio.toFixed(3)}`;
}
