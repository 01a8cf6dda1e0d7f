import { initialBreakerState, justOpened, onFailure, onSuccess, releaseProbe, tryAcquire, type Acquisition, type BreakerOptions, type BreakerState } from "./breaker";

/**
 * One local breaker: a mutable holder of a breaker.ts state. The per-isolate /api/v2 circuit, each
 * of the Durable Object's provider circuits and the Worker's in-memory fallback for them are all
 * cells, so they move through the same transitions by the same code; only where a cell lives (module
 * memory, the DO with its snapshot in storage) differs. Callers that persist compare `cell.state`
 * before and after: a transition that changes nothing keeps the same object.
 */
export interface BreakerCell {
  state: BreakerState;
}

export const breakerCell = (state: BreakerState = initialBreakerState()): BreakerCell => ({ state });

/** Asks the cell to send one call (see breaker.tryAcquire). */
export function acquireCell(cell: BreakerCell, now: number, options: BreakerOptions): Acquisition {
  const result = tryAcquire(cell.state, now, options);
  cell.state = result.state;
  return result;
}

/** Records one call's verdict; true when this failure opened (or re-opened) the circuit. */
export function recordCell(cell: BreakerCell, now: number, options: BreakerOptions, success: boolean, probeSeq: number | null): boolean {
  const before = cell.state;
  cell.state = success ? onSuccess(before, now, options, probeSeq) : onFailure(before, now, options, probeSeq);
  return justOpened(before, cell.state);
}

/** The probe ended without an upstream verdict: the next caller probes. */
export function releaseCell(cell: BreakerCell, now: number, probeSeq: number | null): void {
  cell.state = releaseProbe(cell.state, now, probeSeq);
}
