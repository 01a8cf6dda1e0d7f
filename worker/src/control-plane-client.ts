import { noteCircuitOpened } from "./circuit-events";
import type { RequestContext } from "./context";
import {
  acquireProvider,
  clearMemory,
  decideRateLimit,
  providerViews,
  reportProvider,
  type AcquireReply,
  type RateLimitReply,
  type ReportReply,
  type ViewsReply,
} from "./control-plane-core";
import type { DoStub } from "./env";
import { ApiError } from "./errors";
import { CONTROL_PLANE_NAME, rateLimitKey, rateLimitObjectName } from "./keys";
import { log } from "./log";
import { defaultIsolate } from "./isolate-state";
import { count, countRuntimeConfig, type CircuitView } from "./metrics-core";
import type { BreakerVerdict } from "./providers/retry-policy";
import { identityLabel, type Identity, type ProviderName } from "./types";

/**
 * The Worker side of ControlPlaneDO. When the object cannot be reached (binding missing, stub.fetch
 * throws, non-2xx, no answer in time) the very functions the object runs (control-plane-core.ts) run
 * on this isolate's memory (`ctx.isolate.controlPlaneFallback`) instead: limits and breakers keep
 * working per isolate instead of failing open, and every fallback is counted (docs/api.md#ai-providers
 * and docs/api.md#rate-limiting).
 */

/** A healthy DO answers in a few ms; past this the request should not wait on it. */
export const CONTROL_PLANE_TIMEOUT_MS = 3000;

/** Empties the default isolate's fallback memory (lab code written before isolate-state.ts). */
export function resetControlPlaneFallback(): void {
  clearMemory(defaultIsolate.controlPlaneFallback);
}

class ControlPlaneUnavailable extends Error {}

function stubFor(ctx: RequestContext, objectName: string): DoStub | null {
  const namespace = ctx.env.CONTROL_PLANE_DO;
  if (!namespace) return null;
  return namespace.get(namespace.idFromName(objectName) as never);
}

/**
 * One JSON call to the DO, guarded by `deps.timeout` (a real timer in production; the test's or the
 * simulation's clock elsewhere, so a hung object costs virtual, not real, time).
 */
async function callControlPlane<T>(ctx: RequestContext, objectName: string, path: string, payload: Record<string, unknown>): Promise<T> {
  const stub = stubFor(ctx, objectName);
  if (!stub) throw new ControlPlaneUnavailable("CONTROL_PLANE_DO binding missing");
  const timer = ctx.deps.timeout(CONTROL_PLANE_TIMEOUT_MS);
  const timeout = timer.elapsed.then((): never => {
    throw new ControlPlaneUnavailable("control plane timed out");
  });
  // The guard may lose every race; it must never surface as an unhandled rejection.
  timeout.catch(() => undefined);
  try {
    const call = stub.fetch(`https://control-plane${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    });
    const response = await Promise.race([call, timeout]);
    if (!response.ok) throw new ControlPlaneUnavailable(`control plane answered ${response.status}`);
    return (await Promise.race([response.json(), timeout])) as T;
  } finally {
    timer.cancel();
  }
}

function noteFallback(ctx: RequestContext, counter: "rateLimitFallbacks" | "providerBreakerFallbacks", error: unknown): void {
  countRuntimeConfig(ctx.isolate.metrics, counter);
  countRuntimeConfig(ctx.isolate.metrics, "controlPlaneFallbacks");
  const reason = error instanceof ControlPlaneUnavailable ? error.message : "control plane call failed";
  log("warn", "control_plane_fallback", { requestId: ctx.requestId, use: counter, reason });
}

/** Throws ApiError 429 RATE_LIMITED (with retryAfterSec) when identity + client IP is over the limit. */
export async function enforceRateLimit(ctx: RequestContext, identity: Identity): Promise<void> {
  const key = rateLimitKey(identityLabel(identity), ctx.clientIp);
  const now = ctx.deps.now();
  let decision: RateLimitReply;
  try {
    decision = await callControlPlane<RateLimitReply>(ctx, rateLimitObjectName(key), "/rate-limit", { key, now });
    if (typeof decision.allowed !== "boolean" || typeof decision.retryAfterMs !== "number") throw new ControlPlaneUnavailable("malformed rate-limit reply");
  } catch (error) {
    noteFallback(ctx, "rateLimitFallbacks", error);
    decision = decideRateLimit(ctx.isolate.controlPlaneFallback, key, now, ctx.config).reply;
  }
  if (!decision.allowed) {
    throw new ApiError("RATE_LIMITED", "Too many AI requests. Please retry in a minute.", { retryable: true, retryAfterSec: decision.retryAfterMs / 1000 });
  }
}

/**
 * One provider attempt's permission from the shared breaker; call `report` once with the verdict.
 * A neutral verdict (one key's own 401/403/429) is not reported, except by the half-open probe: an
 * answer of any kind shows the provider is up, and the probe must end so the circuit can close.
 */
export interface ProviderPermit {
  report(verdict: BreakerVerdict): Promise<void>;
}

function permit(ctx: RequestContext, provider: ProviderName, grant: AcquireReply, via: "control-plane" | "local"): ProviderPermit {
  let reported = false;
  return {
    async report(verdict) {
      if (reported) return;
      reported = true;
      if (verdict === "neutral" && !grant.probe) return;
      if (await recordVerdict(ctx, provider, via, verdict !== "failure", grant.probeSeq)) noteCircuitOpened(ctx, provider);
    },
  };
}

/** Records one verdict where the grant came from; true when it opened the circuit. */
async function recordVerdict(ctx: RequestContext, provider: ProviderName, via: "control-plane" | "local", success: boolean, probeSeq: number | null): Promise<boolean> {
  const now = ctx.deps.now();
  if (via === "local") return reportProvider(ctx.isolate.controlPlaneFallback, provider, now, ctx.config, success, probeSeq).opened;
  try {
    const answer = await callControlPlane<ReportReply>(ctx, CONTROL_PLANE_NAME, "/breaker/report", { provider, now, success, probeSeq });
    return answer.opened === true;
  } catch (error) {
    noteFallback(ctx, "providerBreakerFallbacks", error);
    // The DO's probe number means nothing locally: record it as an ordinary outcome.
    return reportProvider(ctx.isolate.controlPlaneFallback, provider, now, ctx.config, success, null).opened;
  }
}

/** Throws ApiError 503 PROVIDER_UNAVAILABLE cause provider_circuit_open when the breaker refuses. */
export async function acquireProviderPermit(ctx: RequestContext, provider: ProviderName): Promise<ProviderPermit> {
  const now = ctx.deps.now();
  let grant: AcquireReply;
  let via: "control-plane" | "local" = "control-plane";
  try {
    grant = await callControlPlane<AcquireReply>(ctx, CONTROL_PLANE_NAME, "/breaker/acquire", { provider, now });
    if (typeof grant.allowed !== "boolean") throw new ControlPlaneUnavailable("malformed breaker reply");
  } catch (error) {
    noteFallback(ctx, "providerBreakerFallbacks", error);
    grant = acquireProvider(ctx.isolate.controlPlaneFallback, provider, now, ctx.config);
    via = "local";
  }
  if (!grant.allowed) {
    count(ctx.isolate.metrics, "providerCircuitRejects");
    throw new ApiError("PROVIDER_UNAVAILABLE", "Provider is temporarily unavailable. Please retry shortly.", {
      status: 503,
      cause: "provider_circuit_open",
      retryable: true,
      retryAfterSec: grant.retryAfterMs / 1000,
    });
  }
  return permit(ctx, provider, grant, via);
}

/**
 * Provider circuit views for /api/v1/metrics. A read decides nothing, so an unreachable DO falls
 * back to this isolate's local breakers without counting a fallback.
 */
export async function providerCircuitViews(ctx: RequestContext): Promise<Record<string, CircuitView> | undefined> {
  const now = ctx.deps.now();
  try {
    const answer = await callControlPlane<ViewsReply>(ctx, CONTROL_PLANE_NAME, "/breaker/views", { now });
    if (answer.circuits && typeof answer.circuits === "object") return answer.circuits;
  } catch {
    // fall through to the local views
  }
  return providerViews(ctx.isolate.controlPlaneFallback, now).circuits;
}
