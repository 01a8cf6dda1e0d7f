import { SCHEDULE_VERSION, type ExplorerStep } from "../steps/schedule";
import type { AttemptRecord, ClientExchange, EpochConfig, Trace } from "./trace";

/** Hand-built traces for the invariants' unit tests. */
export const FIXTURE_CONFIG: EpochConfig = {
  vpsTimeoutMs: 7000,
  vpsRetries: 1,
  vpsOpenMs: 20000,
  vpsThreshold: 3,
  providerTimeoutMs: 12000,
  providerRetries: 2,
  providerThreshold: 5,
  providerOpenMs: 30000,
  noRetryPaths: ["/api/v2/events", "/api/v2/events/ticket"],
};

export function exchange(fields: Partial<ClientExchange> = {}): ClientExchange {
  const requestId = fields.requestId ?? "req-s0-0";
  return {
    step: 0,
    epoch: 0,
    label: "s0",
    requestId,
    method: "GET",
    path: "/api/v2/sync/pull",
    jar: null,
    startedAt: 0,
    headersAt: 0,
    endedAt: 0,
    status: 200,
    retryAfter: null,
    responseRequestId: requestId,
    contentType: "application/json",
    envelope: null,
    envelopeProblem: null,
    sse: null,
    connected: null,
    circuit: { state: "closed", open: false, openUntil: null, remainingMs: 0 },
    ...fields,
  };
}

export function attempt(fields: Partial<AttemptRecord> = {}): AttemptRecord {
  return {
    seq: 1,
    t: 0,
    server: "backend",
    method: "GET",
    route: "/api/v2/sync/pull",
    query: "",
    faults: [],
    status: 200,
    outcome: "answered",
    requestId: "req-s0-0",
    headerNames: [],
    cookieNames: [],
    epoch: 0,
    circuit: { state: "closed", open: false, openUntil: null, remainingMs: 0 },
    retryAfterSec: null,
    clientRequestId: null,
    clientStep: null,
    settledAt: null,
    ...fields,
  };
}

export const failure = (requestId: string, cause: string, fields: Partial<ClientExchange> = {}): ClientExchange =>
  exchange({ requestId, status: 503, retryAfter: "20", envelope: { code: "SERVICE_UNAVAILABLE", message: "unavailable", retryable: true, cause, requestId }, ...fields });

export function trace(fields: Partial<Trace> = {}, steps: ExplorerStep[] = []): Trace {
  return {
    schedule: { version: SCHEDULE_VERSION, seed: 1, workerVars: {}, steps },
    clock: "virtual",
    circuitLog: [],
    steps: steps.map((_, index) => ({ index, t: 0, epoch: 0, kvDown: false, doDown: false, activeSecret: 0, prevSecret: null })),
    exchanges: [],
    attempts: [],
    epochs: [{ index: 0, startedAt: 0, config: FIXTURE_CONFIG, metrics: null }],
    logs: [],
    wire: [],
    secrets: [],
    stuck: null,
    ...fields,
  };
}
