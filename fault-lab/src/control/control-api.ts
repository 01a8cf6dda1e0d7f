import { FAULT_KINDS } from "../faults/registry";
import { SERVER_NAMES, type LabControl, type ServerName } from "./lab-control";

const BASE_HEADERS = { "access-control-allow-origin": "*", "cache-control": "no-store" };

function send(status: number, body?: unknown): Response {
  if (body === undefined) return new Response(null, { status, headers: BASE_HEADERS });
  return new Response(JSON.stringify(body), { status, headers: { ...BASE_HEADERS, "content-type": "application/json; charset=utf-8" } });
}

async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  return text.trim() === "" ? {} : JSON.parse(text);
}

/** `?server=all|<name>`; default is the fake that received the call. */
function scope(url: URL, own: ServerName): ServerName | undefined {
  const wanted = url.searchParams.get("server");
  if (wanted === "all") return undefined;
  if (wanted && (SERVER_NAMES as readonly string[]).includes(wanted)) return wanted as ServerName;
  return own;
}

export const isControlPath = (pathname: string): boolean => pathname.startsWith("/__lab/");

/**
 * The HTTP face of LabControl (`/__lab/*` on every fake): the JSON shape of a fault is the API.
 * POSTed faults apply to the receiving fake unless the body names another `server`.
 */
export async function handleControlRequest(control: LabControl, own: ServerName, request: Request): Promise<Response> {
  const method = request.method;
  if (method === "OPTIONS") {
    return new Response(null, {
      status: 204,
      headers: { "access-control-allow-origin": "*", "access-control-allow-methods": "GET, POST, DELETE", "access-control-allow-headers": "content-type" },
    });
  }
  const url = new URL(request.url);
  const path = url.pathname;
  if (path === "/__lab/faults" && method === "POST") {
    let body: unknown;
    try {
      body = await readJson(request);
    } catch {
      return send(400, { error: "body is not JSON", validKinds: FAULT_KINDS });
    }
    const rule = (body ?? {}) as { route?: unknown; faults?: unknown; server?: unknown };
    const server = rule.server === undefined ? own : rule.server;
    if (server !== "all" && !(SERVER_NAMES as readonly unknown[]).includes(server)) {
      return send(400, { error: `server must be one of ${SERVER_NAMES.join(", ")} or "all"`, validKinds: FAULT_KINDS });
    }
    const added = control.addFaults({
      route: rule.route as string,
      faults: rule.faults as never,
      ...(server === "all" ? {} : { server: server as ServerName }),
    });
    if (!added.ok) return send(400, { error: added.error, validKinds: FAULT_KINDS });
    return send(201, { faults: control.listFaults() });
  }
  if (path === "/__lab/faults" && method === "GET") return send(200, control.listFaults());
  if (path === "/__lab/faults" && method === "DELETE") {
    control.resetFaults();
    return send(204);
  }
  if (path === "/__lab/events" && method === "GET") return send(200, control.events(scope(url, own)));
  if (path === "/__lab/events" && method === "DELETE") {
    control.clearEvents();
    return send(204);
  }
  if (path === "/__lab/stats" && method === "GET") return send(200, control.stats(scope(url, own)));
  if (path === "/__lab/seed" && method === "POST") {
    const body = (await readJson(request).catch(() => ({}))) as { seed?: unknown };
    if (typeof body.seed !== "number" || !Number.isInteger(body.seed)) return send(400, { error: "seed must be an integer" });
    control.reseed(body.seed);
    return send(204);
  }
  return send(404, { error: "unknown lab route; try GET/POST/DELETE /__lab/faults, GET/DELETE /__lab/events, GET /__lab/stats, POST /__lab/seed" });
}
