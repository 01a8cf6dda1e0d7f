import type { Clock } from "../clock/clock";
import type { Result } from "../result";
import type { Rng } from "../rng";

/** A fault as JSON: its kind, its own parameters, and the two knobs every fault shares. */
export interface FaultSpec {
  kind: string;
  /** Chance (0..1) that the fault applies to a matching request; drawn from the seeded RNG. */
  probability?: number;
  /** Apply to this many matching requests, then pass through (a burst). Unlimited when absent. */
  times?: number;
  [param: string]: unknown;
}

/** What a fault asks the fake to change in its normal answer (SSE cut/stall, broken JSON). */
export interface ResponseShaping {
  sseCutAfterEvents?: number;
  sseStallAfterEvents?: number;
  malformedJson?: boolean;
  /** Ask the transport to close the connection after this answer (no keep-alive reuse). */
  closeConnection?: boolean;
}

/** Rewrites the answer that ends the exchange (a fault's own or the fake's), e.g. to trickle its body. */
export type ResponseTransform = (response: Response) => Response;

/** Everything a fault may use: fetch-shaped, no transport. Every wait goes through `clock` and `signal`. */
export interface FaultContext {
  request: Request;
  rng: Rng;
  clock: Clock;
  /** Aborts when the client goes away; `clock.sleep(ms, signal)` rejects then. */
  signal: AbortSignal;
  shaping: ResponseShaping;
  /** The fake's real error body for a status (Gemini/OpenRouter/backend wire formats). */
  errorBody(status: number): unknown;
  now(): number;
  /** Registers a rewrite of the final answer; applied in registration order. */
  transform(transform: ResponseTransform): void;
  /** Reports a Retry-After the fault sends (seconds, or an HTTP-date's offset in seconds) to observers. */
  retryAfterSent(seconds: number): void;
}

/**
 * A `Response`: the fault answered. `continue`: the next fault, then the fake, answers (shaping may
 * have changed). `reset`: the connection is killed without an answer.
 */
export type FaultOutcome = Response | "continue" | "reset";

export interface FaultDefinition<P> {
  kind: string;
  description: string;
  /** Validates the fault's own parameters; the error names the field and the fix. */
  parse(raw: FaultSpec): Result<P>;
  apply(params: P, ctx: FaultContext): Promise<FaultOutcome>;
}

/** Registry entries erase the parameter type; parse and apply always travel together. */
export interface RegisteredFault {
  kind: string;
  description: string;
  parse(raw: FaultSpec): Result<unknown>;
  apply(params: unknown, ctx: FaultContext): Promise<FaultOutcome>;
}

export const defineFault = <P>(definition: FaultDefinition<P>): RegisteredFault => definition as RegisteredFault;
