import type { FaultRuleSpec } from "../steps/model";

/** One client request exactly as it goes on the wire, built once by steps/interpret.ts for every target. */
export interface ClientRequest {
  /** Index of the step that sent it (request ids repeat across steps). */
  step: number;
  label: string;
  /** Position within the step's burst (`concurrency`). */
  index: number;
  /** `req-<label>-<index>`, sent as X-Request-Id; the Worker forwards it upstream. */
  requestId: string;
  method: string;
  path: string;
  /** Lower-case names; includes x-request-id, content-type and cookie when present. */
  headers: Record<string, string>;
  body?: string;
  /** The jar whose cookies it carries and that stores its Set-Cookie lines (null: none). */
  jar: string | null;
  /** Set on the request of a connect step. */
  connect: boolean;
}

/** What the interpreter needs back from an answered request; a target records the rest itself. */
export interface Answer {
  status: number;
  setCookies: string[];
}

/**
 * Where steps run: the Node stack with the Worker on workerd (scenarios), the in-process Worker on
 * virtual time (explorer) or the workerd explorer. Every wait happens on the target's own clock.
 */
export interface Target {
  /** Sends the requests at once and reads every answer to its end; null for one never answered (the run stops). */
  sendAll(requests: ClientRequest[]): Promise<(Answer | null)[]>;
  /** False when the target cannot get there (in-process: nothing left to run, the schedule is stuck). */
  wait(ms: number): Promise<boolean>;
  /** Merges `vars` into the Worker's ("" removes one) and starts a fresh isolate. */
  restartWorker(vars: Record<string, string>): Promise<void>;
  /** New active secret; the old one becomes KEY_ENCRYPTION_SECRET_PREV (a restart). */
  rotateSecret(): Promise<void>;
  setFaults(rule: FaultRuleSpec): Promise<void>;
  clearFaults(): Promise<void>;
  setKvOutage(on: boolean): Promise<void>;
  /** Absent where the Durable Object cannot be made unreachable (workerd): the step is skipped. */
  setDoOutage?(on: boolean): Promise<void>;
}
