// PLACEHOLDER — owned by the resilience helper; replaced with the real implementation.
import type { RequestContext } from "./context";
import type { CircuitView } from "./metrics";
import type { Identity, ProviderName } from "./types";

/** Throws ApiError 429 RATE_LIMITED (with retryAfterSec) when identity + client IP is over the limit. */
export async function enforceRateLimit(_ctx: RequestContext, _identity: Identity): Promise<void> {}

/** One provider attempt's permission from the shared breaker; call `report` once with the outcome. */
export interface ProviderPermit {
  report(success: boolean): Promise<void>;
}

/** Throws ApiError 503 PROVIDER_UNAVAILABLE cause provider_circuit_open when the breaker refuses. */
export async function acquireProviderPermit(_ctx: RequestContext, _provider: ProviderName): Promise<ProviderPermit> {
  return { report: async () => undefined };
}

export async function providerCircuitViews(_ctx: RequestContext): Promise<Record<string, CircuitView> | undefined> {
  return undefined;
}
