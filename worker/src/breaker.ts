/**
 * The one circuit breaker of the Worker (docs/api.md#apiv2-passthrough and docs/api.md#ai-providers), as pure functions over a plain-JSON state.
 * The per-isolate /api/v2 circuit (vps-circuit.ts) and the Durable Object's provider circuits
 * (control-plane.ts) both run this code; only where the state lives differs.
 *
 * closed --Nth consecutive failure--> open --window over, first caller--> half-open (one probe)
 * half-open --probe success--> closed;  --probe failure--> open (full window);
 * half-open --probe lost (deadline passed)--> next caller becomes the probe.
 */

export interface BreakerOptions {
  /** Trip rule: this many consecutive failures open the circuit. */
  threshold: number;
  openMs: number;
  /**
   * A probe that has not reported by then is presumed lost (its isolate died, its caller hung), so
   * half-open can never stick: the next caller becomes the probe.
   */
  probeTimeoutMs: number;
}

/**
 * `probeSeq` numbers probes so a late report from a lost probe cannot close or re-open the circuit
 * on behalf of the probe that replaced it.
 */
export type BreakerState =
  | { phase: "closed"; failures: number; probeSeq: number }
  | { phase: "open"; openUntil: number; probeSeq: number }
  | { phase: "half-open"; probeDeadline: number; probeSeq: number };

export interface Acquisition {
  allowed: boolean;
  /** This caller is the half-open probe: report with `probeSeq`, never retry it. */
  probe: boolean;
  probeSeq: number | null;
  /** When refused: ms until the window ends (0 while another caller's probe is in flight). */
  retryAfterMs: number;
  state: BreakerState;
}

export type CircuitPhaseView = "closed" | "open" | "half-open";

export interface BreakerView {
  state: CircuitPhaseView;
  open: boolean;
  openUntil: number | null;
  remainingMs: number;
}

export const initialBreakerState = (): BreakerState => ({ phase: "closed", failures: 0, probeSeq: 0 });

/** The trip rule on its own: consecutive failures reach the threshold. */
export const tripsOpen = (consecutiveFailures: number, options: BreakerOptions): boolean =>
  consecutiveFailures >= Math.max(1, options.threshold);

function openAt(state: BreakerState, now: number, options: BreakerOptions): BreakerState {
  return { phase: "open", openUntil: now + options.openMs, probeSeq: state.probeSeq };
}

function grantProbe(state: BreakerState, now: number, options: BreakerOptions): Acquisition {
  const probeSeq = state.probeSeq + 1;
  return {
    allowed: true,
    probe: true,
    probeSeq,
    retryAfterMs: 0,
    state: { phase: "half-open", probeDeadline: now + options.probeTimeoutMs, probeSeq },
  };
}

/** Asks to send one call. Refusals carry how long the caller should wait. */
export function tryAcquire(state: BreakerState, now: number, options: BreakerOptions): Acquisition {
  switch (state.phase) {
    case "closed":
      return { allowed: true, probe: false, probeSeq: null, retryAfterMs: 0, state };
    case "open":
      if (now < state.openUntil) return { allowed: false, probe: false, probeSeq: null, retryAfterMs: state.openUntil - now, state };
      return grantProbe(state, now, options);
    case "half-open":
      if (now < state.probeDeadline) return { allowed: false, probe: false, probeSeq: null, retryAfterMs: 0, state };
      return grantProbe(state, now, options);
  }
}

const isCurrentProbe = (state: BreakerState, probeSeq: number | null | undefined): boolean =>
  state.phase === "half-open" && probeSeq !== null && probeSeq !== undefined && probeSeq === state.probeSeq;

/**
 * A call answered well. Closed: the failure streak ends. Half-open: the current probe closes the
 * circuit. Reports from calls admitted before the circuit opened are ignored while it is open.
 */
export function onSuccess(state: BreakerState, _now: number, _options: BreakerOptions, probeSeq: number | null = null): BreakerState {
  if (state.phase === "closed") return state.failures === 0 ? state : { ...state, failures: 0 };
  if (isCurrentProbe(state, probeSeq)) return { phase: "closed", failures: 0, probeSeq: state.probeSeq };
  return state;
}

/** A call failed. Closed: the streak grows and the Nth failure opens. Half-open: the probe re-opens. */
export function onFailure(state: BreakerState, now: number, options: BreakerOptions, probeSeq: number | null = null): BreakerState {
  if (state.phase === "closed") {
    const failures = state.failures + 1;
    return tripsOpen(failures, options) ? openAt(state, now, options) : { ...state, failures };
  }
  if (isCurrentProbe(state, probeSeq)) return openAt(state, now, options);
  return state;
}

/** The probe ended without an upstream verdict (e.g. a 413 before any call): the next caller probes. */
export function releaseProbe(state: BreakerState, now: number, probeSeq: number | null): BreakerState {
  if (!isCurrentProbe(state, probeSeq)) return state;
  return { phase: "open", openUntil: now, probeSeq: state.probeSeq };
}

/** True when a failure report just opened (or re-opened) the circuit: callers count circuitOpens. */
export const justOpened = (before: BreakerState, after: BreakerState): boolean => before.phase !== "open" && after.phase === "open";

export function view(state: BreakerState, now: number): BreakerView {
  switch (state.phase) {
    case "closed":
      return { state: "closed", open: false, openUntil: null, remainingMs: 0 };
    case "open":
      if (now < state.openUntil) return { state: "open", open: true, openUntil: state.openUntil, remainingMs: state.openUntil - now };
      return { state: "half-open", open: false, openUntil: state.openUntil, remainingMs: 0 };
    case "half-open":
      return { state: "half-open", open: false, openUntil: null, remainingMs: 0 };
  }
}

/** Plain JSON for storage (one `storage.put` per snapshot in the Durable Object). */
export const snapshot = (state: BreakerState): BreakerState => ({ ...state });

const isCount = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value) && value >= 0;

/**
 * Restores a stored snapshot; anything malformed restores as closed. A half-open snapshot keeps its
 * probe deadline, so the probe in flight (possibly on another isolate) is still the only one.
 */
export function restore(value: unknown): BreakerState {
  if (value === null || typeof value !== "object") return initialBreakerState();
  const record = value as Record<string, unknown>;
  const probeSeq = isCount(record.probeSeq) ? Math.floor(record.probeSeq) : 0;
  if (record.phase === "closed" && isCount(record.failures)) return { phase: "closed", failures: Math.floor(record.failures), probeSeq };
  if (record.phase === "open" && isCount(record.openUntil)) return { phase: "open", openUntil: record.openUntil, probeSeq };
  if (record.phase === "half-open" && isCount(record.probeDeadline)) return { phase: "half-open", probeDeadline: record.probeDeadline, probeSeq };
  return initialBreakerState();
}
