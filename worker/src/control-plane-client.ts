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
  type SharedBreakerState,
  type StateReply,
  type ViewsReply,
} from "./control-plane-core";
import { callControlPlane, ControlPlaneUnavailable, noteFallback } from "./control-plane-transport";
import { ApiError } from "./errors";
import { CONTROL_PLANE_NAME, rateLimitKey, rateLimitObjectName } from "./keys";
import { defaultIsolate } from "./isolate-state";
import { count, type CircuitView } from "./metrics-core";
import { decideLocally, forget, learn, learnedView, noteOwnFailure, refreshStarted, successNeedsReport, viewOf } from "./provider-view";
import type { BreakerVerdict } from "./providers/retry-policy";
import { identityLabel, type Identity, type ProviderName } from "./types";

export { CONTROL_PLANE_TIMEOUT_MS } from "./control-plane-transport";

/**
 * The Worker side of ControlPlaneDO. When the object cannot be reached (binding missing, stub.fetch
 * throws, non-2xx, no answer in time) the very functions the object runs (control-plane-core.ts) run
 * on this isolate's memory (`ctx.isolate.controlPlaneFallback`) instead: limits and breakers keep
 * working per isolate instead of failing open, and every fallback is counted (docs/api.md#ai-providers
 * and docs/api.md#rate-limiting).
 *
 * Provider breakers follow docs/decisions/0006-fleet-breaker-protocol.md: while this isolate's view
 * of a breaker is closed, a call goes straight to the provider and only counted outcomes reach the
 * object; the object is asked first only while the view is unknown, open past its window, or half-open.
 */

/** Empties the default isolate's fallback memory and breaker views (lab code written before isolate-state.ts). */
export function resetControlPlaneFallback(): void {
  clearMemory(defaultIsolate.controlPlaneFallback);
  defaultIsolate.providerViews.clear();
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
 * One provider attempt's permission; call `report` once with the verdict. It settles when the
 * outcome is recorded, so callers may hand it to `waitUntil` instead of waiting. A neutral verdict
 * (one key's own 401/403/429) is not reported, except by the half-open probe: an answer of any kind
 * shows the provider is up, and the probe must end so the circuit can close.
 */
export interface ProviderPermit {
  report(verdict: BreakerVerdict): Promise<void>;
}

interface Grant {
  probe: boolean;
  probeSeq: number | null;
}

const DIRECT: Grant = { probe: false, probeSeq: null };

const PHASES: ReadonlySet<unknown> = new Set(["closed", "open", "half-open"]);

function isShared(value: unknown): value is SharedBreakerState {
  if (value === null || typeof value !== "object") return false;
  const shared = value as Record<string, unknown>;
  return PHASES.has(shared.phase) && typeof shared.failures === "number" && (shared.openUntil === null || typeof shared.openUntil === "number");
}

/** Takes in what the object said about `provider` in an exchange sent at `sentAt`. */
function learnFrom(ctx: RequestContext, provider: ProviderName, shared: unknown, sentAt: number): void {
  if (isShared(shared)) learn(ctx.isolate.providerViews, provider, learnedView(shared, sentAt, ctx.config.providers.circuitRefreshMs));
}

function permit(ctx: RequestContext, provider: ProviderName, grant: Grant, via: "shared" | "local"): ProviderPermit {
  let reported = false;
  return {
    async report(verdict) {
      if (reported) return;
      reported = true;
      if (verdict === "neutral" && !grant.probe) return;
      const success = verdict !== "failure";
      if (via === "local") {
        if (reportProvider(ctx.isolate.controlPlaneFallback, provider, ctx.deps.now(), ctx.config, success, grant.probeSeq).opened) noteCircuitOpened(ctx, provider);
        return;
      }
      const views = ctx.isolate.providerViews;
      if (success && !grant.probe && !successNeedsReport(viewOf(views, provider))) return;
      if (!success) noteOwnFailure(views, provider);
      if (await recordShared(ctx, provider, success, grant.probeSeq)) noteCircuitOpened(ctx, provider);
    },
  };
}

/** Reports one outcome to the object; true when it opened the circuit. */
async function recordShared(ctx: RequestContext, provider: ProviderName, success: boolean, probeSeq: number | null): Promise<boolean> {
  const now = ctx.deps.now();
  try {
    const answer = await callControlPlane<ReportReply>(ctx, CONTROL_PLANE_NAME, "/breaker/report", { provider, now, success, probeSeq });
    learnFrom(ctx, provider, answer.shared, now);
    return answer.opened === true;
  } catch (error) {
    noteFallback(ctx, "providerBreakerFallbacks", error);
    forget(ctx.isolate.providerViews, provider, now);
    // The DO's probe number means nothing locally: record it as an ordinary outcome.
    return reportProvider(ctx.isolate.controlPlaneFallback, provider, now, ctx.config, success, null).opened;
  }
}

/** The periodic re-read of a closed view. It decides nothing; a failure only makes the next call ask. */
async function refreshView(ctx: RequestContext, provider: ProviderName, sentAt: number): Promise<void> {
  try {
    const answer = await callControlPlane<StateReply>(ctx, CONTROL_PLANE_NAME, "/breaker/state", { provider, now: sentAt });
    learnFrom(ctx, provider, answer.shared, sentAt);
  } catch {
    forget(ctx.isolate.providerViews, provider, sentAt);
  }
}

function refusal(ctx: RequestContext, retryAfterMs: number): ApiError {
  count(ctx.isolate.metrics, "providerCircuitRejects");
  return new ApiError("PROVIDER_UNAVAILABLE", "Provider is temporarily unavailable. Please retry shortly.", {
    status: 503,
    cause: "provider_circuit_open",
    retryable: true,
    retryAfterSec: retryAfterMs / 1000,
  });
}

/** Throws ApiError 503 PROVIDER_UNAVAILABLE cause provider_circuit_open when the breaker refuses. */
export async function acquireProviderPermit(ctx: RequestContext, provider: ProviderName): Promise<ProviderPermit> {
  const now = ctx.deps.now();
  const { circuitFailureThreshold, circuitRefreshMs } = ctx.config.providers;
  const views = ctx.isolate.providerViews;
  const local = decideLocally(viewOf(views, provider), now, circuitFailureThreshold, circuitRefreshMs);
  if (local.kind === "refuse") throw refusal(ctx, local.retryAfterMs);
  if (local.kind === "direct") {
    if (local.refresh) {
      refreshStarted(views, provider, now, circuitRefreshMs);
      ctx.waitUntil(refreshView(ctx, provider, now));
    }
    return permit(ctx, provider, DIRECT, "shared");
  }
  let grant: AcquireReply;
  let via: "shared" | "local" = "shared";
  try {
    grant = await callControlPlane<AcquireReply>(ctx, CONTROL_PLANE_NAME, "/breaker/acquire", { provider, now });
    if (typeof grant.allowed !== "boolean") throw new ControlPlaneUnavailable("malformed breaker reply");
    learnFrom(ctx, provider, grant.shared, now);
  } catch (error) {
    noteFallback(ctx, "providerBreakerFallbacks", error);
    forget(views, provider, now);
    grant = acquireProvider(ctx.isolate.controlPlaneFallback, provider, now, ctx.config);
    via = "local";
  }
  if (!grant.allowed) throw refusal(ctx, grant.retryAfterMs);
  return permit(ctx, provider, { probe: grant.probe, probeSeq: grant.probeSeq }, via);
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
