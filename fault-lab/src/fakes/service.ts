import type { Clock } from "../clock/clock";
import type { LabEvent, ServerName } from "../control/lab-control";
import type { ResponseShaping } from "../faults/types";

/** What a fake gets beside the request: the faults' shaping, the clock for every wait, its event-log entry. */
export interface FakeContext {
  shaping: ResponseShaping;
  clock: Clock;
  /** The event-log entry of this request; fakes add keyHash/intent to it. */
  event: LabEvent;
  /** Aborts when the client goes away (a stalled stream ends then). */
  signal: AbortSignal;
}

/** One fake upstream, fetch-shaped: any transport (Node server, in-process fetch, msw) serves it. */
export interface FakeService {
  name: ServerName;
  handle(request: Request, ctx: FakeContext): Promise<Response>;
  /** The real service's error body for a status, used by status faults without a body. */
  errorBody(status: number): unknown;
}
