import { getConfig } from "./config";
import { createContext, type RequestContext } from "./context";
import { depsWithClockOffset, realDeps, type Deps } from "./deps";
import type { WorkerEnv } from "./env";
import { ApiError, isApiError } from "./errors";
import { emptyResponse, errorResponse, resolveRequestId } from "./http";
import { log } from "./log";
import { defaultIsolate, type IsolateState } from "./isolate-state";
import { count, countCause, countKvFailure, type MetricsState } from "./metrics-core";
import { handleReseal } from "./routes/admin";
import { handleAiAction, isAiAction } from "./routes/ai";
import { handleAuthStatus, handleConnect, handleDisconnect } from "./routes/auth";
import { handleDevRoute } from "./routes/dev";
import { handleMetrics } from "./routes/metrics";
import { handleV2 } from "./proxy";

export { ControlPlaneDO } from "./control-plane";

interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}

const AI_PREFIX = "/api/v1/ai/";

/** The route table (docs/api.md#routes). Handlers live in routes/ and proxy.ts; this file only dispatches. */
async function route(ctx: RequestContext): Promise<Response> {
  const { pathname } = ctx.url;
  const method = ctx.request.method.toUpperCase();
  if (method === "OPTIONS") return emptyResponse(204, ctx.requestId);
  if (pathname === "/api/v2" || pathname.startsWith("/api/v2/")) return handleV2(ctx);
  if (method === "GET" && pathname === "/api/v1/metrics") return handleMetrics(ctx);
  if (method === "GET" && pathname === "/api/v1/auth/status") return handleAuthStatus(ctx);
  if (method === "POST" && pathname === "/api/v1/auth/connect") return handleConnect(ctx);
  if (method === "POST" && pathname === "/api/v1/auth/disconnect") return handleDisconnect(ctx);
  if (method === "POST" && pathname === "/api/v1/admin/reseal") return handleReseal(ctx);
  if (method === "POST" && pathname.startsWith(AI_PREFIX)) {
    const action = pathname.slice(AI_PREFIX.length);
    if (isAiAction(action)) return handleAiAction(ctx, action);
  }
  if (ctx.config.devRoutesEnabled && ctx.isLocal) {
    const dev = await handleDevRoute(ctx);
    if (dev) return dev;
  }
  throw new ApiError("NOT_FOUND", "Route not found");
}

/** Counts what every failed response has in common, once, here (docs/api.md#metrics). */
function recordFailure(metrics: MetricsState, error: ApiError): void {
  if (error.failureCause) countCause(metrics, error.failureCause);
  if (error.failureCause === "kv_unavailable") countKvFailure(metrics);
  // As the original worker: by status, whatever the source (timeouts count per attempt, in providers/).
  if (error.status >= 500) count(metrics, "providerFailures");
  if (error.status === 401 || error.status === 403) count(metrics, "authFailures");
  if (error.code === "RATE_LIMITED") count(metrics, "rateLimited");
}

/**
 * Handles one request with explicit deps; tests and the in-process lab pass a manual clock here, and
 * the fleet simulation one IsolateState per simulated isolate (default: this isolate's own).
 */
export async function handleRequest(
  request: Request,
  env: WorkerEnv,
  deps: Deps = realDeps,
  executionContext?: ExecutionContextLike,
  isolate: IsolateState = defaultIsolate,
): Promise<Response> {
  const requestId = resolveRequestId(request);
  count(isolate.metrics, "requests");
  try {
    const config = getConfig(env);
    const effectiveDeps = deps === realDeps && config.devClockOffsetMs !== 0 ? depsWithClockOffset(config.devClockOffsetMs) : deps;
    const ctx = createContext(request, env, config, effectiveDeps, requestId, executionContext?.waitUntil.bind(executionContext), isolate);
    return await route(ctx);
  } catch (error) {
    if (isApiError(error)) {
      recordFailure(isolate.metrics, error);
      if (error.internal) log("warn", "request_failed", { requestId, code: error.code, reason: error.internal });
      return errorResponse(error, requestId);
    }
    log("error", "unhandled_exception", { requestId, error: error instanceof Error ? error.name : typeof error });
    return errorResponse(new ApiError("INTERNAL_ERROR", "Internal server error"), requestId);
  }
}

export type { IsolateState } from "./isolate-state";
export { createIsolateState } from "./isolate-state";

/** Production: one isolate, one state (`defaultIsolate`, created once at module load). */
export default {
  fetch(request: Request, env: WorkerEnv, ctx?: ExecutionContextLike): Promise<Response> {
    return handleRequest(request, env, realDeps, ctx, defaultIsolate);
  },
};

