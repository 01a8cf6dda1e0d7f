import type { RequestContext } from "../context";
import { providerCircuitViews } from "../control-plane-client";
import { ApiError } from "../errors";
import { jsonResponse, withStandardHeaders } from "../http";
import { snapshotMetrics } from "../metrics";
import { toPrometheus } from "../metrics-prometheus";
import { vpsCircuitView } from "../vps-circuit";

/** Metrics are for operators on the machine itself (net.ts `isLocalRequest`), else 404. */
const isLocalCaller = (ctx: RequestContext): boolean => ctx.isLocal;

function wantsPrometheus(ctx: RequestContext): boolean {
  if (ctx.url.searchParams.get("format") === "prometheus") return true;
  const accept = ctx.request.headers.get("accept") ?? "";
  return accept.includes("text/plain") && !accept.includes("application/json");
}

export async function handleMetrics(ctx: RequestContext): Promise<Response> {
  if (!isLocalCaller(ctx)) throw new ApiError("NOT_FOUND", "Route not found.");
  const now = ctx.deps.now();
  const snapshot = snapshotMetrics(vpsCircuitView(ctx.config, now), now, await providerCircuitViews(ctx));
  if (wantsPrometheus(ctx)) {
    const headers = withStandardHeaders(new Headers({ "Content-Type": "text/plain; version=0.0.4", "Cache-Control": "no-store" }), ctx.requestId);
    return new Response(toPrometheus(snapshot), { status: 200, headers });
  }
  return jsonResponse(snapshot, ctx.requestId);
}
