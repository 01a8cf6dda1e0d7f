import type { AttemptRecord, ClientExchange, Epoch, Trace } from "../trace/trace";

/** Lookups several invariants share; each is a plain read of the trace. */
export const SLACK_MS = 1_000;

export const isV2 = (exchange: { path: string }): boolean => exchange.path.startsWith("/api/v2");
export const backendAttempts = (trace: Trace): AttemptRecord[] => trace.attempts.filter((attempt) => attempt.server === "backend");
export const epochOf = (trace: Trace, index: number): Epoch => trace.epochs[index]!;

/** The last upstream attempt the fakes logged with this request id (the backend sees the client's id). */
export const lastAttemptFor = (trace: Trace, requestId: string): AttemptRecord | undefined => trace.attempts.filter((attempt) => attempt.requestId === requestId).pop();

/** Answers the Worker built itself; a v2 answer below 500 is the backend's, passed through untouched. */
export const isWorkerError = (exchange: ClientExchange): boolean => exchange.status >= 400 && !(isV2(exchange) && exchange.status < 500 && exchange.envelope?.requestId === undefined);
