import type { ServerName } from "../control/lab-control";
import type { FaultRuleSpec, Step } from "../steps/model";

export type { FaultRuleSpec, RequestStep, Step, StepKind } from "../steps/model";

/**
 * Scenarios are plain JSON data (the chaos explorer generates them): faults to install, traffic
 * steps (the one step model, steps/model.ts), and assertions that name a check in assertions.ts.
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

export type CheckName = Assertion["check"];
