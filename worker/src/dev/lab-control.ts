import type { RequestContext } from "../context";
import { ApiError } from "../errors";
import { emptyResponse, jsonResponse } from "../http";
import { err, ok, type Result } from "../result";

/**
 * The fault panel's same-origin bridge to the local fakes' control API (fault-lab/src/control/control-api.ts):
 * the page keeps `connect-src 'self'` and calls `/__dev/lab/*`; the Worker forwards to
 * DEV_FAULT_CONTROL_URL, a loopback URL the lab stack sets. Only reached in development on a
 * loopback host (routes/dev.ts). Writes must come from the page itself: a JSON body and an Origin
 * equal to the Worker's, so another site open in the developer's browser cannot program faults.
 */
export const LAB_CONTROL_PREFIX = "/__dev/lab/";

export const FAULT_SERVERS = ["backend", "gemini", "openrouter"] as const;
export type FaultServer = (typeof FAULT_SERVERS)[number];

export interface FaultRequest {
  server: FaultServer;
  route: string;
  faults: Record<string, unknown>[];
}

const MAX_BODY_BYTES = 4096;
const MAX_FAULTS = 4;
const MAX_EVENTS = 80;
const ROUTE = /^(\*|\/[A-Za-z0-9/_.-]{0,199})$/;

/** The panel's POST body: which fake, which route, up to four fault objects (the fake validates their kinds). */
export function parseFaultRequest(raw: unknown): Result<FaultRequest, string> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return err("body must be a JSON object {server, route, faults}");
  const { server, route, faults } = raw as Record<string, unknown>;
  if (typeof server !== "string" || !(FAULT_SERVERS as readonly string[]).includes(server)) return err(`server must be one of ${FAULT_SERVERS.join(", ")}`);
  if (typeof route !== "string" || !ROUTE.test(route)) return err('route must be "*" or a path like /api/v2/sync/pull');
  if (!Array.isArray(faults) || faults.length === 0 || faults.length > MAX_FAULTS) return err(`faults must be an array of 1..${MAX_FAULTS} fault objects`);
  if (!faults.every((fault) => typeof fault === "object" && fault !== null && !Array.isArray(fault))) return err("every fault must be an object like {\"kind\":\"status\",\"status\":503}");
  return ok({ server: server as FaultServer, route, faults: faults as Record<string, unknown>[] });
}

/** What the timeline needs from one fake event; header and cookie names and key hashes stay behind. */
interface PanelEvent {
  seq: number;
  t: number;
  server: string;
  method: string;
  route: string;
  status: number | null;
  outcome: string;
  faults: string[];
  durationMs: number | null;
}

function toPanelEvents(raw: unknown): PanelEvent[] {
  if (!Array.isArray(raw)) return [];
  return raw.slice(-MAX_EVENTS).flatMap((value): PanelEvent[] => {
    if (typeof value !== "object" || value === null) return [];
    const event = value as Record<string, unknown>;
    if (typeof event.seq !== "number" || typeof event.t !== "number" || typeof event.server !== "string") return [];
    return [{
      seq: event.seq,
      t: event.t,
      server: event.server,
      method: String(event.method ?? ""),
      route: String(event.route ?? ""),
      status: typeof event.status === "number" ? event.status : null,
      outcome: String(event.outcome ?? ""),
      faults: Array.isArray(event.faults) ? event.faults.map(String) : [],
      durationMs: typeof event.durationMs === "number" ? event.durationMs : null,
    }];
  });
}

function requireSameOriginWrite(ctx: RequestContext): void {
  if (ctx.request.headers.get("origin") !== ctx.url.origin) throw new ApiError("BAD_REQUEST", "Fault panel writes must come from the diagnostics page itself (Origin header).");
}

async function readBody(ctx: RequestContext): Promise<unknown> {
  if (!(ctx.request.headers.get("content-type") ?? "").toLowerCase().startsWith("application/json")) {
    throw new ApiError("BAD_REQUEST", "Content-Type must be application/json.");
  }
  const text = await ctx.request.text();
  if (text.length > MAX_BODY_BYTES) throw new ApiError("PAYLOAD_TOO_LARGE", `Fault request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("BAD_REQUEST", "Body is not valid JSON.");
  }
}

async function forward(ctx: RequestContext, base: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await ctx.deps.fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(5000) });
  } catch {
    throw new ApiError("SERVICE_UNAVAILABLE", "The local fakes' control API did not answer; is the lab stack (npm start) running?");
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text === "" ? null : JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: response.status, body };
}

/** `/__dev/lab/faults` (GET list, POST add, DELETE clear) and `/__dev/lab/events` (GET, recent first-party events). */
export async function handleLabControl(ctx: RequestContext): Promise<Response> {
  const base = ctx.config.devFaultControlUrl;
  if (!base) throw new ApiError("SERVICE_UNAVAILABLE", "The fault panel needs the lab stack: DEV_FAULT_CONTROL_URL is not set (npm start sets it).");
  const method = ctx.request.method.toUpperCase();
  const route = ctx.url.pathname.slice(LAB_CONTROL_PREFIX.length);
  if (route === "events" && method === "GET") {
    const answer = await forward(ctx, base, "/events?server=all");
    return jsonResponse({ now: ctx.deps.now(), events: toPanelEvents(answer.body) }, ctx.requestId);
  }
  if (route === "faults" && method === "GET") {
    const answer = await forward(ctx, base, "/faults");
    return jsonResponse({ faults: Array.isArray(answer.body) ? answer.body : [] }, ctx.requestId);
  }
  if (route === "faults" && method === "POST") {
    requireSameOriginWrite(ctx);
    const parsed = parseFaultRequest(await readBody(ctx));
    if (!parsed.ok) throw new ApiError("BAD_REQUEST", `Fault request: ${parsed.error}.`);
    const answer = await forward(ctx, base, "/faults", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(parsed.value) });
    if (answer.status !== 201) {
      const reason = typeof (answer.body as { error?: unknown } | null)?.error === "string" ? (answer.body as { error: string }).error : `HTTP ${answer.status}`;
      throw new ApiError("BAD_REQUEST", `The fake refused the fault: ${reason.slice(0, 200)}.`);
    }
    return jsonResponse({ faults: (answer.body as { faults?: unknown } | null)?.faults ?? [] }, ctx.requestId, { status: 201 });
  }
  if (route === "faults" && method === "DELETE") {
    requireSameOriginWrite(ctx);
    await forward(ctx, base, "/faults", { method: "DELETE" });
    return emptyResponse(204, ctx.requestId);
  }
  throw new ApiError("NOT_FOUND", "Route not found");
}
