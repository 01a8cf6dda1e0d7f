/**
 * What one fleet run records, compactly (a 1,000-isolate run has ~10^5 requests). Times are virtual
 * ms on the simulation's clock. Invariants and figures are pure functions of this.
 */

export type CircuitPhase = "closed" | "open" | "half-open";

export interface PhaseSpan {
  name: string;
  from: number;
  to: number;
  /** What this phase breaks: the providers, the backend, or nothing. */
  outage: "provider" | "backend" | null;
}

export interface FleetRequest {
  isolate: number;
  kind: "ai" | "v2";
  t: number;
  /** When the response was read to the end. */
  end: number;
  status: number;
  /** The error envelope's `cause`, when the Worker answered with one. */
  cause: string | null;
  /** Time spent in control-plane calls that ended before the response was answered. */
  doWaitMs: number;
}

export interface UpstreamAttempt {
  t: number;
  isolate: number;
  server: "backend" | "gemini" | "openrouter";
  /** Backend attempts: the sending isolate's /api/v2 circuit at that moment (half-open: a probe). */
  circuit?: CircuitPhase;
}

/** One call of an isolate to a Durable Object, as the network model served it. */
export interface ObjectCall {
  t: number;
  isolate: number;
  /** The global control-plane object (provider breakers) rather than a rate-limit object. */
  global: boolean;
  path: string;
  /** Arrival at the object, start and end of service, return to the isolate. */
  arriveAt: number;
  startAt: number;
  doneAt: number;
  returnAt: number;
  queueLength: number;
}

/** A change of the shared provider breaker, as the object persisted it. */
export interface BreakerChange {
  t: number;
  provider: string;
  phase: CircuitPhase;
}

export interface FleetRunConfig {
  isolates: number;
  seed: number;
  serviceMs: number;
  /** How stale an isolate's view of the shared breaker may get (the fleet protocol's refresh bound). */
  learningIntervalMs: number;
  providerOpenMs: number;
  vpsOpenMs: number;
  aiPerSec: number;
  v2PerSec: number;
  maxRttMs: number;
  /** Whether every isolate had its own Worker state (false: one shared module state). */
  isolateStatePerIsolate: boolean;
}

export interface FleetTrace {
  config: FleetRunConfig;
  phases: PhaseSpan[];
  rttMs: number[];
  requests: FleetRequest[];
  attempts: UpstreamAttempt[];
  calls: ObjectCall[];
  breaker: BreakerChange[];
  startedAt: number;
  endedAt: number;
}
