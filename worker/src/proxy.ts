import { fullJitterDelay, type BackoffOptions } from "./backoff";
import { readBodyWithin } from "./body";
import { noteCircuitOpened } from "./circuit-events";
import type { RequestContext } from "./context";
import { ApiError } from "./errors";
import { defaultIsolate } from "./isolate-state";
import { count, countRuntimeConfig } from "./metrics-core";
import { parseRetryAfter } from "./retry-after";
import { buildUpstreamHeaders, clientTimeoutMs, ENCODED_PATH_MESSAGE, hasEncodedSeparator, passthrough } from "./proxy-wire";
import { isTimeoutRejection } from "./timeout-error";
import { createRetryBudget, recordRequest, tryWithdrawRetry } from "./retry-budget";
import { acquireVpsCircuit, releaseVpsProbe, reportVpsOutcome, vpsCircuitAllowsRetry } from "./vps-circuit";

/**
 * `/api/v2/*` passthrough (docs/api.md#apiv2-passthrough). Composition, outermost first:
 *   path check (400, moves nothing) → circuit (fast 503, no upstream call) → origin checks → body limit → deadline → retry(budget,
 *   backoff) → per-attempt timeout → fetch.
 * The circuit sits outside the retries so one client request counts once however many attempts it
 * took; the budget sits inside so a dead upstream sees at most ~1.2× the client traffic.
 */

const RETRY_SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const BODYLESS_METHODS = new Set(["GET", "HEAD"]);
/** Backoff stays below the smallest attempt timeout (1000 ms): retries are for blips, not outages. */
export const PROXY_BACKOFF: BackoffOptions = { baseMs: 100, capMs: 800 };
/** No request spends more than two full attempt timeouts upstream, however many retries remain. */
const TOTAL_DEADLINE_TIMEOUTS = 2;
const UNAVAILABLE_MESSAGE = "Sync service is temporarily unavailable. Please retry shortly.";

const TIMED_OUT: unique symbol = Symbol("timed out");
const timedOut = (): typeof TIMED_OUT => TIMED_OUT;

type FailureCause = "upstream_5xx" | "timeout" | "network_error";
type AttemptResult = { ok: true; response: Response } | { ok: false; cause: FailureCause; retryAfterSec: number | null; cutByClient?: boolean };

/** Resets the default isolate's retry budget (lab code written before isolate-state.ts). */
export function resetRetryBudget(): void {
  defaultIsolate.retryBudget = createRetryBudget();
}

function upstreamOrigin(ctx: RequestContext): URL {
  const { origin, originProblem } = ctx.config.vps;
  if (!origin) {
    count(ctx.isolate.metrics, "vpsProxyFailures");
    if (originProblem) countRuntimeConfig(ctx.isolate.metrics, "invalidVpsOrigin");
    // The original worker's messages; which one follows from config's problem text.
    const message = !originProblem
      ? "VPS API origin is not configured"
      : originProblem.includes("https")
        ? "VPS API origin must use https:// outside loopback hosts."
        : "VPS API origin is invalid. Use an absolute URL.";
    throw new ApiError("SERVICE_UNAVAILABLE", message, { cause: "origin_unconfigured", retryable: false, internal: originProblem ?? undefined });
  }
  if (origin.origin === ctx.url.origin) {
    count(ctx.isolate.metrics, "vpsProxyFailures");
    throw new ApiError("CONFIG_ERROR", "VPS API origin cannot match the worker origin for proxy routes.", { cause: "origin_unconfigured" });
  }
  return origin;
}

/**
 * The body to send upstream. Buffered when a retry may need to resend it or when its size is not
 * declared (the limit must hold before any upstream call); streamed untouched otherwise, which is
 * the cheap path for the common single-attempt POST.
 */
async function upstreamBody(ctx: RequestContext, mayRetry: boolean): Promise<BodyInit | undefined> {
  if (BODYLESS_METHODS.has(ctx.request.method.toUpperCase()) || !ctx.request.body) return undefined;
  const limit = ctx.config.vps.maxBodyBytes;
  const declared = Number(ctx.request.headers.get("content-length") ?? Number.NaN);
  if (!mayRetry && Number.isInteger(declared) && declared >= 0) {
    if (declared > limit) throw new ApiError("PAYLOAD_TOO_LARGE", `Proxy request body exceeds limit (${limit} bytes).`);
    return declared > 0 ? ctx.request.body : undefined;
  }
  const bytes = await readBodyWithin(ctx.request, limit);
  if (bytes === null) throw new ApiError("PAYLOAD_TOO_LARGE", `Proxy request body exceeds limit (${limit} bytes).`);
  return bytes.byteLength > 0 ? (bytes as Uint8Array<ArrayBuffer>) : undefined;
}

/** Node's fetch refuses a stream body without `duplex: "half"`; workerd ignores the field. */
function streamSafe(body: BodyInit): RequestInit {
  return body instanceof ReadableStream ? ({ body, duplex: "half" } as RequestInit) : { body };
}

/**
 * Whether this request may be retried at all (counts no-retry path hits). A no-retry path always
 * wins; otherwise safe methods retry, and a write only when the backend can dedupe it: the path is
 * listed in VPS_PROXY_IDEMPOTENT_PATHS or the client sent an Idempotency-Key.
 */
function isRetryEligible(ctx: RequestContext): boolean {
  const { noRetryPaths, idempotentPaths } = ctx.config.vps;
  if (noRetryPaths.has(ctx.url.pathname)) {
    count(ctx.isolate.metrics, "vpsProxyNoRetryPathHits");
    return false;
  }
  if (RETRY_SAFE_METHODS.has(ctx.request.method.toUpperCase())) return true;
  return idempotentPaths.has(ctx.url.pathname) || ctx.request.headers.has("idempotency-key");
}

/**
 * One upstream attempt. The timeout covers the time to response headers only: once they arrive the
 * timer is cleared and the abort signal is never fired, so an SSE body streams for as long as it
 * lasts (the platform's own limits apply, not ours).
 */
async function attemptOnce(ctx: RequestContext, target: string, init: RequestInit, timeoutMs: number): Promise<AttemptResult> {
  count(ctx.isolate.metrics, "vpsProxyUpstreamAttempts");
  const abort = new AbortController();
  const timer = startTimeout(ctx, timeoutMs);
  try {
    const winner = await Promise.race([ctx.deps.fetch(target, { ...init, signal: abort.signal }), timer.elapsed]);
    if (winner === TIMED_OUT) {
      abort.abort();
      count(ctx.isolate.metrics, "vpsProxyTimeouts");
      return { ok: false, cause: "timeout", retryAfterSec: null, cutByClient: timeoutMs < ctx.config.vps.timeoutMs };
    }
    if (winner.status < 500) return { ok: true, response: winner };
    const retryAfterSec = parseRetryAfter(winner.headers.get("retry-after"), ctx.deps.now());
    // Release the failed attempt's connection; awaiting the cancel could hang on some bodies.
    void winner.body?.cancel().catch(() => undefined);
    return { ok: false, cause: "upstream_5xx", retryAfterSec };
  } catch (error) {
    if (isTimeoutRejection(error)) {
      count(ctx.isolate.metrics, "vpsProxyTimeouts");
      return { ok: false, cause: "timeout", retryAfterSec: null };
    }
    return { ok: false, cause: "network_error", retryAfterSec: null };
  } finally {
    timer.cancel();
  }
}

/** The attempt timer: deps.timeout is the runtime's cheap handle (no AbortController per request). */
function startTimeout(ctx: RequestContext, ms: number): { elapsed: Promise<typeof TIMED_OUT>; cancel(): void } {
  const handle = ctx.deps.timeout(ms);
  return { elapsed: handle.elapsed.then(timedOut), cancel: handle.cancel };
}

interface AttemptPlan {
  target: string;
  init: RequestInit;
  retries: number;
  deadline: number;
  /** The client's budget, not ours, sets the deadline: its timeouts are that client's own. */
  clientBound: boolean;
}

type AttemptsOutcome =
  | { response: Response; attempts: number }
  | { failure: AttemptResult & { ok: false }; attempts: number; backendFault: boolean };

/** Attempts with backoff until success, a non-retryable outcome, the deadline or an empty budget. */
async function runAttempts(ctx: RequestContext, plan: AttemptPlan): Promise<AttemptsOutcome> {
  const { deps } = ctx;
  recordRequest(ctx.isolate.retryBudget, deps.now());
  // Whether any attempt failed on the backend's account: a 5xx, a network error, or a timeout that
  // had its full length. A timeout cut short by the client's own budget is not evidence.
  let backendFault = false;
  for (let retryIndex = 0; ; retryIndex += 1) {
    const attemptTimeout = Math.min(ctx.config.vps.timeoutMs, Math.max(1, plan.deadline - deps.now()));
    const result = await attemptOnce(ctx, plan.target, plan.init, attemptTimeout);
    if (result.ok) return { response: result.response, attempts: retryIndex + 1 };
    if (!(plan.clientBound && result.cutByClient)) backendFault = true;
    const failed = { failure: result, attempts: retryIndex + 1, backendFault };
    if (retryIndex >= plan.retries) return failed;
    // An upstream Retry-After is a floor: retrying sooner would only add load it asked us to hold.
    const delay = Math.max(fullJitterDelay(retryIndex, PROXY_BACKOFF, deps.rng), (result.retryAfterSec ?? 0) * 1000);
    if (deps.now() + delay >= plan.deadline) return failed;
    if (!tryWithdrawRetry(ctx.isolate.retryBudget, deps.now())) {
      count(ctx.isolate.metrics, "vpsProxyRetryBudgetExhausted");
      return failed;
    }
    await deps.sleep(delay);
    // Another request may have opened the circuit meanwhile: then this retry would be an upstream
    // call while open (or a second probe once half-open).
    if (!vpsCircuitAllowsRetry(ctx.isolate.vpsCircuit, deps.now())) {
      count(ctx.isolate.metrics, "vpsProxyRetriesCancelledByCircuit");
      return failed;
    }
    count(ctx.isolate.metrics, "vpsProxyRetries");
  }
}

export async function handleV2(ctx: RequestContext): Promise<Response> {
  const { config, deps } = ctx;
  // Before the circuit: a refused path never moves it, and never reaches the backend.
  if (hasEncodedSeparator(ctx.url.pathname)) throw new ApiError("BAD_REQUEST", ENCODED_PATH_MESSAGE);
  const gate = acquireVpsCircuit(ctx.isolate.vpsCircuit, config, deps.now());
  if (!gate.allowed) {
    count(ctx.isolate.metrics, "vpsProxyCircuitRejects");
    count(ctx.isolate.metrics, "vpsProxyFailures");
    throw new ApiError("SERVICE_UNAVAILABLE", UNAVAILABLE_MESSAGE, { cause: "circuit_open", retryable: true, retryAfterSec: gate.retryAfterMs / 1000 });
  }
  let verdictReported = false;
  try {
    const origin = upstreamOrigin(ctx);
    const retries = gate.probe || !isRetryEligible(ctx) ? 0 : config.vps.retries;
    const body = await upstreamBody(ctx, retries > 0);
    const startedAt = deps.now();
    const clientBudget = clientTimeoutMs(ctx.request);
    const ownDeadline = startedAt + config.vps.timeoutMs * TOTAL_DEADLINE_TIMEOUTS;
    const clientDeadline = clientBudget === null ? Number.POSITIVE_INFINITY : startedAt + clientBudget;
    const plan: AttemptPlan = {
      target: `${origin.origin}${ctx.url.pathname}${ctx.url.search}`,
      init: { method: ctx.request.method, headers: buildUpstreamHeaders(ctx.request, ctx.url.pathname, ctx.requestId), redirect: "manual", ...(body ? streamSafe(body) : {}) },
      // The half-open probe is never retried: its one verdict decides the circuit.
      retries,
      deadline: Math.min(ownDeadline, clientDeadline),
      clientBound: clientDeadline < ownDeadline,
    };
    const outcome = await runAttempts(ctx, plan);
    verdictReported = true;
    if ("response" in outcome) {
      reportVpsOutcome(ctx.isolate.vpsCircuit, config, deps.now(), true, gate.probeSeq);
      return passthrough(outcome.response, ctx.requestId);
    }
    if (!outcome.backendFault) {
      // The client's budget ran out before the backend had a fair chance: this request fails alone.
      count(ctx.isolate.metrics, "vpsProxyClientBudgetExhausted");
      releaseVpsProbe(ctx.isolate.vpsCircuit, deps.now(), gate.probeSeq);
    } else if (reportVpsOutcome(ctx.isolate.vpsCircuit, config, deps.now(), false, gate.probeSeq)) {
      noteCircuitOpened(ctx, "vps");
    }
    const { cause, retryAfterSec } = outcome.failure;
    count(ctx.isolate.metrics, "vpsProxyFailures");
    if (cause === "upstream_5xx") count(ctx.isolate.metrics, "vpsProxy5xxPassthrough");
    if (retryAfterSec !== null) count(ctx.isolate.metrics, "vpsProxyRetryAfterHonored");
    throw new ApiError("SERVICE_UNAVAILABLE", UNAVAILABLE_MESSAGE, {
      cause,
      retryable: true,
      retryAfterSec: retryAfterSec ?? config.vps.circuitOpenMs / 1000,
      internal: `upstream ${cause} after ${outcome.attempts} attempt(s)`,
    });
  } finally {
    if (!verdictReported) releaseVpsProbe(ctx.isolate.vpsCircuit, deps.now(), gate.probeSeq);
  }
}
