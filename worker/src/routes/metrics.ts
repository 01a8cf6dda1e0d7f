import type { RequestContext } from "../context";
import { providerCircuitViews } from "../control-plane-client";
import { ApiError } from "../errors";
import { jsonResponse, withStandardHeaders } from "../http";
import { snapshotOf } from "../metrics-core";
import { toPrometheus } from "../metrics-prometheus";
import { presentsToken } from "../ops-tokens";
import { vpsCircuitViewOf } from "../vps-circuit";

/**
 * Metrics are for operators on the machine itself (net.ts `isLocalRequest`). Unlike the original, a
 * loopback client IP on a public host is not enough: a client can send that header itself.
 */
const isLocalCaller = (ctx: RequestContext): boolean => ctx.isLocal;

function wantsPrometheus(ctx: RequestContext): boolean {
  if (ctx.url.searchParams.get("format") === "prometheus") return true;
  const accept = ctx.request.headers.get("accept") ?? "";
  return accept.includes("text/plain") && !accept.includes("application/json");
}

export async function handleMetrics(ctx: RequestContext): Promise<Response> {
  // A remote operator presents METRICS_TOKEN (docs/api.md); anyone else gets the same 404 as an unknown route.
  if (!isLocalCaller(ctx) && !(await presentsToken(ctx.request.headers.get("authorization"), ctx.config.metricsToken))) throw new ApiError("NOT_FOUND", "Route not found");
  const now = ctx.deps.now();
  const snapshot = snapshotOf(ctx.isolate.metrics, vpsCircuitViewOf(ctx.isolate.vpsCircuit, now), now, await providerCircuitViews(ctx));
  if (wantsPrometheus(ctx)) {
    const headers = withStandardHeaders(new Headers({ "Content-Type": "text/plain; version=0.0.4", "Cache-Control": "no-store" }), ctx.requestId);
    return new Response(toPrometheus(snapshot), { status: 200, headers });
  }
  return jsonResponse(snapshot, ctx.requestId);
}
