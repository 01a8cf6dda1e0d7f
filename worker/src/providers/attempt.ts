import type { RequestContext } from "../context";
import { count } from "../metrics-core";
import { parseRetryAfter } from "../retry-after";
import { isTimeoutRejection } from "../timeout-error";
import type { AttemptOutcome, ProviderAdapter, WireRequest } from "./types";

/**
 * One provider attempt under the per-attempt timeout (docs/api.md#ai-providers, 12 s default). The timeout covers
 * the whole exchange, body included: AI answers are read whole, so a stalled body is a timeout too.
 * The race with the timer makes the timeout hold even if a fetch implementation ignores the signal.
 */
export async function attemptProvider(ctx: RequestContext, adapter: ProviderAdapter, wire: WireRequest): Promise<AttemptOutcome> {
  const controller = new AbortController();
  const timer = ctx.deps.timeout(ctx.config.providers.timeoutMs);
  const timedOut = timer.elapsed.then((): AttemptOutcome => {
    controller.abort();
    return { kind: "timeout" };
  });
  try {
    const outcome = await Promise.race([exchange(ctx, adapter, wire, controller.signal), timedOut]);
    if (outcome.kind === "timeout") count(ctx.isolate.metrics, "timeouts");
    return outcome;
  } finally {
    timer.cancel();
  }
}

async function exchange(ctx: RequestContext, adapter: ProviderAdapter, wire: WireRequest, signal: AbortSignal): Promise<AttemptOutcome> {
  let response: Response;
  let text: string;
  try {
    response = await ctx.deps.fetch(wire.url, { ...wire.init, signal });
    text = await response.text();
  } catch (error) {
    return signal.aborted || isTimeoutRejection(error) ? { kind: "timeout" } : { kind: "network" };
  }
  const body = parseJsonOrNull(text);
  // A 2xx that is not JSON came from something between us and the provider (a proxy's HTML page).
  if (body === null && response.status >= 200 && response.status < 300) return { kind: "network" };
  return classify(adapter, response.status, response.headers.get("retry-after"), body, ctx.deps.now());
}

/**
 * Whether the request can leave this Worker at all. A header value the platform refuses (a NUL or
 * newline in a stored key) makes fetch throw before any byte is sent: that says nothing about the
 * provider, so it must never reach the shared breaker or the retry loop.
 */
export function isSendable(wire: WireRequest): boolean {
  try {
    new Headers(wire.init.headers);
    new URL(wire.url);
    return true;
  } catch {
    return false;
  }
}

/** Maps a provider answer to an outcome. Pure; the body is only inspected, never echoed. */
export function classify(adapter: ProviderAdapter, status: number, retryAfterHeader: string | null, body: unknown, nowMs: number): AttemptOutcome {
  if (status >= 200 && status < 300) {
    const text = adapter.extractText(body);
    return text.ok ? { kind: "ok", text: text.value } : { kind: "malformed", reason: text.error };
  }
  const retryAfterSec = parseRetryAfter(retryAfterHeader, nowMs) ?? adapter.retryAfterFromBody(body);
  if (status === 429) return { kind: "rate_limited", retryAfterSec };
  if (status >= 500) return { kind: "server", status, retryAfterSec };
  if (adapter.isKeyRejected(status, body)) return { kind: "key_rejected", status };
  return { kind: "rejected", status };
}

function parseJsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
