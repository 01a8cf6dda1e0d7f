import type { FleetTrace } from "./trace";

/** Per-bucket counts over the run, for the report's charts. */
export interface FleetSeries {
  bucketMs: number;
  /** Bucket start, ms since the first phase began. */
  t: number[];
  lines: Record<SeriesName, number[]>;
}

export type SeriesName = "aiOk" | "aiFailed" | "v2Ok" | "v2Failed" | "providerRequests" | "backendRequests" | "globalCalls" | "globalQueueMax";

const MAX_BUCKETS = 240;

export function fleetSeries(trace: FleetTrace): FleetSeries {
  const span = Math.max(1, trace.phases.at(-1)!.to - trace.startedAt);
  const bucketMs = Math.max(1000, Math.ceil(span / MAX_BUCKETS / 1000) * 1000);
  const count = Math.ceil(span / bucketMs);
  const zero = () => new Array<number>(count).fill(0);
  const lines: FleetSeries["lines"] = { aiOk: zero(), aiFailed: zero(), v2Ok: zero(), v2Failed: zero(), providerRequests: zero(), backendRequests: zero(), globalCalls: zero(), globalQueueMax: zero() };
  const bucket = (t: number) => Math.min(count - 1, Math.max(0, Math.floor((t - trace.startedAt) / bucketMs)));
  for (const request of trace.requests) {
    const ok = request.status < 400;
    const line = request.kind === "ai" ? (ok ? lines.aiOk : lines.aiFailed) : ok ? lines.v2Ok : lines.v2Failed;
    line[bucket(request.t)]! += 1;
  }
  for (const attempt of trace.attempts) (attempt.server === "backend" ? lines.backendRequests : lines.providerRequests)[bucket(attempt.t)]! += 1;
  for (const call of trace.calls) {
    // Calls made while the users connected, before the first phase, are not part of the run.
    if (!call.global || call.arriveAt < trace.startedAt) continue;
    const index = bucket(call.arriveAt);
    lines.globalCalls[index]! += 1;
    lines.globalQueueMax[index] = Math.max(lines.globalQueueMax[index]!, call.queueLength);
  }
  return { bucketMs, t: Array.from({ length: count }, (_, index) => index * bucketMs), lines };
}
