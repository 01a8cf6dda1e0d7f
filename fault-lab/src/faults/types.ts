import type { IncomingMessage, ServerResponse } from "node:http";
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
}

export interface FaultContext {
  req: IncomingMessage;
  res: ServerResponse;
  rng: Rng;
  shaping: ResponseShaping;
  /** The fake's real error body for a status (Gemini/OpenRouter/backend wire formats). */
  errorBody(status: number): unknown;
  /** Resolves when the client goes away, so hanging faults release their socket. */
  clientGone: Promise<void>;
  now(): number;
}

/** `handled`: the fault answered (or killed) the request; `continue`: the fake answers next. */
export type FaultOutcome = "continue" | "handled";

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
