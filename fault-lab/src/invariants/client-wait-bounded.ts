import type { ClientExchange, Epoch } from "../trace/trace";
import { firstOnly } from "./types";
import { epochOf, isV2, SLACK_MS } from "./trace-queries";

/** Provider backoff ceiling per retry: the longer of the 4 s backoff cap and the 10 s Retry-After cap. */
const PROVIDER_RETRY_WAIT_MS = 10_000;
const V2_BACKOFF_CAP_MS = 800;

/** The longest a client may wait for response headers on this route under this epoch's config. */
export function waitBoundMs(exchange: ClientExchange, epoch: Epoch): number {
  const { config } = epoch;
  if (isV2(exchange)) return (1 + config.vpsRetries) * (config.vpsTimeoutMs + V2_BACKOFF_CAP_MS) + SLACK_MS;
  if (exchange.path.startsWith("/api/v1/ai/") || exchange.path === "/api/v1/auth/connect") {
    return (1 + config.providerRetries) * config.providerTimeoutMs + config.providerRetries * PROVIDER_RETRY_WAIT_MS + SLACK_MS;
  }
  return SLACK_MS;
}

/** No client waits longer than timeout × attempts + slack, and every request is answered. */
export const clientWaitBounded = firstOnly("client-wait", "no client waits for headers longer than timeout × attempts + slack; every request is answered", (trace) => {
  if (trace.stuck) return `step ${trace.stuck.step}: ${trace.stuck.pending.length} request(s) never got an answer (nothing left to wake them)`;
  for (const exchange of trace.exchanges) {
    const bound = waitBoundMs(exchange, epochOf(trace, exchange.epoch));
    const waited = exchange.headersAt - exchange.startedAt;
    if (waited > bound) return `${exchange.requestId} (${exchange.method} ${exchange.path}) waited ${waited} ms for headers; the bound is ${bound} ms`;
  }
  return null;
});
