import type { ServerName } from "../control/lab-control";
import type { FaultSpec } from "../faults/types";

/**
 * The one step vocabulary: hand-written scenarios (`traffic`), generated explorer schedules and
 * found files are lists of these, and `interpret.ts` runs them against any Target.
 */
export interface FaultRuleSpec {
  route: string;
  server?: ServerName;
  faults: FaultSpec[];
}

export interface RequestStep {
  do: "request";
  /** Name to refer to the response(s) in assertions; the request id is `req-<label>-<index>`. */
  label: string;
  /** Defaults to POST when a body is given, GET otherwise. */
  method?: string;
  path: string;
  body?: unknown;
  /** Body of this many characters (for size limits), sent as {"blob":"xxx…"}. */
  bodyBytes?: number;
  headers?: Record<string, string>;
  /** Fire this many identical requests at once. */
  concurrency?: number;
  /** Cookie jar to use (filled by a connect step). */
  as?: string;
  /**
   * Cookies of this other jar go first in the Cookie header, as a sibling subdomain planting them
   * would (cookie tossing): the request then carries two cookies of the same name.
   */
  tossFrom?: string;
  /** Do not store this response's Set-Cookie lines in the jar (keep the old cookie, as a thief would). */
  keepCookies?: boolean;
}

export interface ConnectStep {
  do: "connect";
  provider: "gemini" | "openrouter";
  key: string;
  /** The jar a successful connect fills. */
  as: string;
  /** Defaults to `connect-<as>`. */
  label?: string;
}

export type Step =
  | RequestStep
  | ConnectStep
  | { do: "wait"; ms: number }
  | { do: "restartWorker"; vars?: Record<string, string> }
  /** New active secret; the old one becomes KEY_ENCRYPTION_SECRET_PREV. */
  | { do: "rotateSecret" }
  | ({ do: "setFaults" } & FaultRuleSpec)
  | { do: "clearFaults" }
  | { do: "kvOutage"; on: boolean }
  /** The Durable Object unreachable (only a target that owns the DO can do it; others skip it). */
  | { do: "doOutage"; on: boolean };

export type StepKind = Step["do"];

export const STEP_KINDS: readonly StepKind[] = ["request", "connect", "wait", "restartWorker", "rotateSecret", "setFaults", "clearFaults", "kvOutage", "doOutage"];

export const connectLabel = (step: ConnectStep): string => step.label ?? `connect-${step.as}`;

/** Method a request step sends: explicit, else POST with a body, else GET. */
export const requestMethod = (step: RequestStep): string => (step.method ?? (step.body !== undefined || step.bodyBytes !== undefined ? "POST" : "GET")).toUpperCase();
