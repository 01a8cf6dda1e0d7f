import { initialBreakerState, view, type Acquisition, type BreakerOptions } from "./breaker";
import { acquireCell, recordCell, releaseCell, type BreakerCell } from "./breaker-cell";
import type { WorkerConfig } from "./config";
import { defaultIsolate } from "./isolate-state";
import type { CircuitView } from "./metrics-core";

/**
 * The /api/v2 circuit is one cell per isolate (`IsolateState.vpsCircuit`; docs/api.md#apiv2-passthrough,
 * decision 0002): checking it costs nothing on the hot path, and a backend outage is seen by every
 * isolate within a few requests anyway. Provider circuits, which must be shared, live in the Durable Object.
 */

/**
 * A probe answers within one attempt timeout (it is never retried); the slack covers reading the
 * request body first. After this, a lost probe no longer blocks the circuit.
 */
export function vpsBreakerOptions(config: WorkerConfig): BreakerOptions {
  return {
    threshold: config.vps.circuitFailureThreshold,
    openMs: config.vps.circuitOpenMs,
    probeTimeoutMs: config.vps.timeoutMs * 2 + 1000,
  };
}

export function acquireVpsCircuit(cell: BreakerCell, config: WorkerConfig, now: number): Acquisition {
  return acquireCell(cell, now, vpsBreakerOptions(config));
}

/** Records a request's final outcome; returns true when this failure opened the circuit. */
export function reportVpsOutcome(cell: BreakerCell, config: WorkerConfig, now: number, success: boolean, probeSeq: number | null): boolean {
  return recordCell(cell, now, vpsBreakerOptions(config), success, probeSeq);
}

/** The probe ended before any upstream verdict (413, bad origin): let the next request probe. */
export function releaseVpsProbe(cell: BreakerCell, now: number, probeSeq: number | null): void {
  releaseCell(cell, now, probeSeq);
}

/**
 * Whether an in-flight request may send another attempt: only while the circuit is closed. Once
 * another request has opened it, "no upstream call while open, one probe when half-open" (docs/api.md#apiv2-passthrough)
 * holds for retries too.
 */
export function vpsCircuitAllowsRetry(cell: BreakerCell, now: number): boolean {
  return view(cell.state, now).state === "closed";
}

/** The metrics view (docs/api.md#metrics `vpsProxyCircuit`) of one isolate's circuit. */
export function vpsCircuitViewOf(cell: BreakerCell, now: number): CircuitView {
  return view(cell.state, now);
}

/** The default isolate's view, for lab code written before isolate-state.ts. */
export function vpsCircuitView(_config: WorkerConfig, now: number): CircuitView {
  return vpsCircuitViewOf(defaultIsolate.vpsCircuit, now);
}

/** Resets the default isolate's circuit (lab code written before isolate-state.ts). */
export function resetVpsCircuit(): void {
  defaultIsolate.vpsCircuit.state = initialBreakerState();
}
