import type { LabEvent } from "../control/lab-control";
import type { ClientExchange } from "../trace/trace";

/** Who made a provider attempt, and when its exchange ended (the fake's own clock). */
export interface Attribution {
  clientRequestId: string | null;
  clientStep: number | null;
  settledAt: number | null;
}

const NONE: Attribution = { clientRequestId: null, clientStep: null, settledAt: null };
const isProvider = (event: LabEvent): boolean => event.server === "gemini" || event.server === "openrouter";
const callsProvider = (exchange: ClientExchange): boolean => exchange.path === "/api/v1/auth/connect" || exchange.path.startsWith("/api/v1/ai/");
const settledAt = (event: LabEvent): number | null => (typeof event.durationMs === "number" ? event.t + event.durationMs : null);

/**
 * Gives each provider attempt seen by a fake on a real runtime the client request that made it.
 * Providers never see the client's request id, so it is found by time: steps run one after the
 * other, so the attempt belongs to the step whose request was waiting for headers when the attempt
 * arrived. Within a burst (identical requests) a request's attempts are sequential, so the attempt
 * goes to a candidate with no attempt still open, the one with the fewest attempts so far. The
 * in-process target records the same fields directly from the tagged fetch.
 */
export function attributeAttempts(events: readonly LabEvent[], exchanges: readonly ClientExchange[]): Map<number, Attribution> {
  const result = new Map<number, Attribution>();
  const open = new Map<ClientExchange, number | null>();
  const count = new Map<ClientExchange, number>();
  const ordered = [...events].sort((a, b) => a.t - b.t || a.seq - b.seq);
  for (const event of ordered) {
    if (!isProvider(event)) continue;
    const candidates = exchanges.filter((exchange) => callsProvider(exchange) && exchange.startedAt <= event.t && event.t <= exchange.headersAt);
    const free = candidates.filter((exchange) => {
      const until = open.get(exchange);
      return until === undefined || (until !== null && until <= event.t);
    });
    const pool = free.length > 0 ? free : candidates;
    const chosen = [...pool].sort((a, b) => (count.get(a) ?? 0) - (count.get(b) ?? 0))[0];
    if (!chosen) {
      result.set(event.seq, NONE);
      continue;
    }
    open.set(chosen, settledAt(event));
    count.set(chosen, (count.get(chosen) ?? 0) + 1);
    result.set(event.seq, { clientRequestId: chosen.requestId, clientStep: chosen.step, settledAt: settledAt(event) });
  }
  return result;
}
