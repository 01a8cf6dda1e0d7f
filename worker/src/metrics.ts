import { defaultIsolate } from "./isolate-state";
import { createMetrics, snapshotOf, type CircuitView, type MetricsSnapshot, type MetricsState } from "./metrics-core";

export * from "./metrics-core";

/**
 * The default isolate's counters, for tests and lab code written before isolate-state.ts that read
 * or reset them directly. Worker code counts on `ctx.isolate.metrics` (metrics-core.ts) instead;
 * new tests create their own IsolateState.
 */
export const metrics: MetricsState = defaultIsolate.metrics;

export function resetMetrics(): void {
  Object.assign(defaultIsolate.metrics, createMetrics());
}

/** The default isolate's snapshot (see `snapshotOf` for any other isolate). */
export function snapshotMetrics(vpsProxyCircuit: CircuitView, now: number, providerCircuits?: Record<string, CircuitView>): MetricsSnapshot {
  return snapshotOf(defaultIsolate.metrics, vpsProxyCircuit, now, providerCircuits);
}
