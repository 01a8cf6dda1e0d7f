import type { LabControl } from "../control/lab-control";
import type { KvEntry } from "../stack/stack";
import type { ClientRecord } from "./records";

/** What a scenario runs against: the workerd stack (src/stack/stack.ts), or anything with the same shape. */
export interface LabTarget {
  workerUrl: string;
  control: LabControl;
  restartWorker(vars?: Record<string, string>): Promise<void>;
  workerVars(): Record<string, string>;
  readKv(): Promise<KvEntry[]>;
  setKvOutage(on: boolean): Promise<void>;
  workerLogs(): string[];
}

export interface ExecutorDeps {
  now(): number;
  sleep(ms: number): Promise<void>;
  fetch: typeof fetch;
  randomSecret(): string;
  /** Poll /api/v1/metrics for the breaker timeline every N ms (0 = off). */
  circuitPollMs: number;
}

export interface RunOptions {
  /** The vars every scenario starts from (its workerVars are merged over them). */
  baseVars: Record<string, string>;
}

/** What one scenario run has seen so far: written by the stack target, read by the assertions. */
export interface RunState {
  target: LabTarget;
  deps: ExecutorDeps;
  responses: Record<string, ClientRecord[]>;
  /** Provider keys the scenario used (checked against KV and logs, never printed). */
  usedKeys: Set<string>;
  /** Every encryption secret the Worker had during the scenario. */
  secrets: Set<string>;
  startedAt: number;
}
