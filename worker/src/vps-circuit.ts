import { initialBreakerState, view, type Acquisition, type BreakerOptions } from "./breaker";
import { acquireCell, breakerCell, recordCell, releaseCell } from "./breaker-cell";
import type { WorkerConfig } from "./config";
import type { CircuitView } from "./metrics";

/**
 * The /api/v2 circuit lives in module memory, one per isolate (docs/api.md#apiv2-passthrough, decision 0002): checking
 * it costs nothing on the hot path, and a backend outage is seen by every isolate within a few
 * requests anyway. Provider circuits, which must be shared, live in the Durable Object.
 */
const cell = breakerCell();

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

export function acquireVpsCircuit(config: WorkerConfig, now: number): Acquisition {
  return acquireCell(cell, now, vpsBreakerOptions(config));
}

/** Records a request's final outcome; returns true when this failure opened the circuit. */
export function reportVpsOutcome(config: WorkerConfig, now: number, success: boolean, probeSeq: number | null): boolean {
  return recordCell(cell, now, vpsBreakerOptions(config), success, probeSeq);
}

/** The probe ended before any upstream verdict (413, bad origin): let the next request probe. */
export function releaseVpsProbe(now: number, probeSeq: number | null): void {
  releaseCell(cell, now, probeSeq);
}

/**
 * Whether an in-flight request may send another attempt: only while the circuit is closed. Once
 * another request has opened it, "no upstream call while open, one probe when half-open" (docs/api.md#apiv2-passthrough)
 * holds for retries too.
 */
export function vpsCircuitAllowsRetry(now: number): boolean {
  return view(cell.state, now).state === "closed";
}

/** The metrics view (docs/api.md#metrics `vpsProxyCircuit`). */
export function vpsCircuitView(_config: WorkerConfig, now: number): CircuitView {
  return view(cell.state, now);
}

/** Tests and the in-process lab start every scenario from a closed circuit. */
export function resetVpsCircuit(): void {
  cell.state = initialBreakerState();
}
