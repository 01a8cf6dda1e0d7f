import type { LabEvent } from "../control/lab-control";
import type { Assertion } from "./types";

/** One client response as the lab saw it. */
export interface ClientRecord {
  label: string;
  index: number;
  t: number;
  method: string;
  path: string;
  status: number | null;
  ms: number;
  code?: string;
  cause?: string;
  retryAfter: string | null;
  headers: Record<string, string>;
  setCookies: string[];
  body: string;
  /** Network-level failure talking to the Worker (never expected). */
  error?: string;
}

export interface CircuitSample {
  t: number;
  state: string;
  remainingMs: number;
}

export interface AssertionResult {
  assertion: Assertion;
  passed: boolean;
  expected: string;
  actual: string;
}

export interface ScenarioRun {
  name: string;
  description: string;
  seed: number;
  startedAt: number;
  durationMs: number;
  steps: { t: number; step: string }[];
  responses: Record<string, ClientRecord[]>;
  events: LabEvent[];
  circuit: CircuitSample[];
  results: AssertionResult[];
  passed: boolean;
  /** A step that could not run (scenario broken or stack down), as opposed to a failed assertion. */
  error?: string;
}
