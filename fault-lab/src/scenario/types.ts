import type { ServerName } from "../control";
import type { FaultSpec } from "../faults/types";

/**
 * Scenarios are plain JSON data (the chaos explorer generates them): faults to install, traffic
 * steps, and assertions that name a check function in assertions.ts.
 */
export interface Scenario {
  name: string;
  description: string;
  seed: number;
  /** Merged over the stack's vars before the scenario; "" removes a variable. */
  workerVars?: Record<string, string>;
  /** Restart the Worker before running (fresh isolate: closed circuit, zeroed metrics). */
  freshWorker?: boolean;
  /** Faults installed before the first step. */
  faults: FaultRuleSpec[];
  traffic: Step[];
  expect: Assertion[];
}

export interface FaultRuleSpec {
  route: string;
  server?: ServerName;
  faults: FaultSpec[];
}

export type Step =
  | RequestStep
  | { do: "connect"; provider: "gemini" | "openrouter"; key: string; as: string; label?: string }
  | { do: "wait"; ms: number }
  | { do: "restartWorker"; vars?: Record<string, string> }
  /** New random active secret; the old one becomes KEY_ENCRYPTION_SECRET_PREV. */
  | { do: "rotateSecret" }
  | ({ do: "setFaults" } & FaultRuleSpec)
  | { do: "clearFaults" }
  | { do: "kvOutage"; on: boolean };

export interface RequestStep {
  do: "request";
  /** Name to refer to the response(s) in assertions. */
  label: string;
  method?: string;
  path: string;
  body?: unknown;
  /** Body of this many characters (for size limits), sent as {"blob":"xxx…"}. */
  bodyBytes?: number;
  headers?: Record<string, string>;
  /** Fire this many identical requests at once. */
  concurrency?: number;
  /** Cookie jar to use (set by a connect step). */
  as?: string;
  /**
   * Cookies of this other jar go first in the Cookie header, as a sibling subdomain planting them
   * would (cookie tossing): the request then carries two cookies of the same name.
   */
  tossFrom?: string;
  /** Do not store this response's Set-Cookie lines in the jar (keep the old cookie, as a thief would). */
  keepCookies?: boolean;
}

export type Comparison = { equals: number } | { atLeast?: number; atMost?: number };

export type Assertion =
  | { check: "status"; label: string; equals: number }
  | { check: "statusCounts"; label: string; counts: Record<string, number> }
  | { check: "errorCode"; label: string; equals: string }
  | { check: "cause"; label: string; equals: string }
  | { check: "retryable"; label: string; equals: boolean }
  | { check: "retryAfter"; label: string; equals: number; tolerance?: number }
  | { check: "noRetryAfter"; label: string }
  | { check: "durationMs"; label: string; atLeast?: number; atMost?: number }
  | { check: "bodyIncludes"; label: string; text: string }
  | { check: "jsonPath"; label: string; path: string; equals?: unknown; type?: string }
  | { check: "requestIdEchoed"; label: string }
  | { check: "setsCookie"; label: string; name: string; present: boolean }
  | ({ check: "upstreamAttempts"; route: string; server?: ServerName } & Comparison)
  | { check: "upstreamHeaders"; route: string; server?: ServerName; include?: string[]; exclude?: string[]; cookiesInclude?: string[]; cookiesExclude?: string[] }
  | ({ check: "metric"; path: string } & Comparison)
  | { check: "metricIs"; path: string; value: unknown }
  | { check: "noPlaintextKeyInKv" }
  | ({ check: "kvEntries"; prefix: string } & Comparison)
  | { check: "noSecretInWorkerLogs" };

export type StepKind = Step["do"];
export type CheckName = Assertion["check"];
