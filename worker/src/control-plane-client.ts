import { initialBreakerState, justOpened, onFailure, onSuccess, tryAcquire, view, type BreakerState } from "./breaker";
import type { RequestContext } from "./context";
import { providerBreakerOptions, rateLimitOptions, type AcquireReply, type RateLimitReply, type ReportReply, type ViewsReply } from "./control-plane";
import type { DoStub } from "./env";
import { ApiError } from "./errors";
import { CONTROL_PLANE_NAME, rateLimitKey, rateLimitObjectName } from "./keys";
import { log } from "./log";
import { count, countRuntimeConfig, type CircuitView } from "./metrics";
import { take } from "./rate-limit";
import type { BreakerVerdict } from "./providers/retry-policy";
import { PROVIDERS, identityLabel, type Identity, type ProviderName } from "./types";

/**
 * The Worker side of ControlPlaneDO. When the object cannot be reached (binding missing, stub.fetch
 * throws, non-2xx, no answer in time) the same pure code runs on in-memory state of this isolate:
 * limits and breakers keep working per isolate instead of failing open, and every fallback is
 * counted (SPEC §3.6, §3.7).
 */

/** A healthy DO answers in a few ms; past this the request should not wait on it. */
const CONTROL_PLANE_TIMEOUT_MS = 3000;
const MAX_FALLBACK_WINDOWS = 10_000;

const fallbackBreakers = new Map<ProviderName, BreakerState>();
const fallbackWindows = new Map<string, number[]>();

/** Tests and the in-process lab start from empty fallback state. */
export function resetControlPlaneFallback(): void {
  fallbackBreakers.clear();
  fallbackWindows.clear();
}

class ControlPlaneUnavailable extends Error {}

function stubFor(ctx: RequestContext, objectName: string): DoStub | null {
  const namespace = ctx.env.CONTROL_PLANE_DO;
  if (!namespace) return null;
  return namespace.get(namespace.idFromName(objectName) as never);
}

/**
 * One JSON call to the DO. The timeout is a real timer on purpose: it is a guard against a hung
 * platform call, not a decision input, so it must not run on a test's manual clock.
 */
async function callControlPlane<T>(ctx: RequestContext, objectName: string, path: string, payload: Record<string, unknown>): Promise<T> {
  const stub = stubFor(ctx, objectName);
  if (!stub) throw new ControlPlaneUnavailable("CONTROL_PLANE_DO binding missing");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ControlPlaneUnavailable("control plane timed out")), CONTROL_PLANE_TIMEOUT_MS);
  });
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
    if (timer !== undefined) clearTimeout(timer);
  }
}

function noteFallback(ctx: RequestContext, counter: "rateLimitFallbacks" | "providerBreakerFallbacks", error: unknown): void {
  countRuntimeConfig(counter);
  countRuntimeConfig("controlPlaneFallbacks");
  const reason = error instanceof ControlPlaneUnavailable ? error.message : "control plane call failed";
  log("warn", "control_plane_fallback", { requestId: ctx.requestId, use: counter, reason });
}

function takeLocally(key: string, now: number, ctx: RequestContext): RateLimitReply {
  const decision = take(fallbackWindows.get(key) ?? [], now, rateLimitOptions(ctx.config));
  fallbackWindows.delete(key);
  fallbackWindows.set(key, decision.hits);
  if (fallbackWindows.size > MAX_FALLBACK_WINDOWS) {
    const oldest = fallbackWindows.keys().next().value;
    if (oldest !== undefined) fallbackWindows.delete(oldest);
  }
  return { allowed: decision.allowed, retryAfterMs: decision.retryAfterMs, remaining: decision.remaining };
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
    decision = takeLocally(key, now, ctx);
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

function countOpen(): void {
  count("circuitOpens");
}

function reportLocally(ctx: RequestContext, provider: ProviderName, success: boolean, now: number, probeSeq: number | null): void {
  const before = fallbackBreakers.get(provider) ?? initialBreakerState();
  const options = providerBreakerOptions(ctx.config);
  const after = success ? onSuccess(before, now, options, probeSeq) : onFailure(before, now, options, probeSeq);
  fallbackBreakers.set(provider, after);
  if (justOpened(before, after)) countOpen();
}

function acquireLocally(ctx: RequestContext, provider: ProviderName, now: number): AcquireReply {
  const result = tryAcquire(fallbackBreakers.get(provider) ?? initialBreakerState(), now, providerBreakerOptions(ctx.config));
  fallbackBreakers.set(provider, result.state);
  return { allowed: result.allowed, probe: result.probe, probeSeq: result.probeSeq, retryAfterMs: result.retryAfterMs };
}

function permit(ctx: RequestContext, provider: ProviderName, grant: AcquireReply, via: "control-plane" | "local"): ProviderPermit {
  let reported = false;
  return {
    async report(verdict) {
      if (reported) return;
      reported = true;
      if (verdict === "neutral" && !grant.probe) return;
      const success = verdict !== "failure";
      const now = ctx.deps.now();
      if (via === "local") return reportLocally(ctx, provider, success, now, grant.probeSeq);
      try {
        const answer = await callControlPlane<ReportReply>(ctx, CONTROL_PLANE_NAME, "/breaker/report", { provider, now, success, probeSeq: grant.probeSeq });
        if (answer.opened === true) countOpen();
      } catch (error) {
        noteFallback(ctx, "providerBreakerFallbacks", error);
        // The DO's probe number means nothing locally: record it as an ordinary outcome.
        reportLocally(ctx, provider, success, now, null);
      }
    },
  };
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
    grant = acquireLocally(ctx, provider, now);
    via = "local";
  }
  if (!grant.allowed) {
    count("providerCircuitRejects");
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
  const circuits: Record<string, CircuitView> = {};
  for (const provider of PROVIDERS) circuits[provider] = view(fallbackBreakers.get(provider) ?? initialBreakerState(), now);
  return circuits;
}
