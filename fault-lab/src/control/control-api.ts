import type { IncomingMessage, ServerResponse } from "node:http";
import { FAULT_KINDS } from "./faults/registry";
import { SERVER_NAMES, type LabControl, type ServerName } from "./control";

function send(res: ServerResponse, status: number, body?: unknown): void {
  const headers: Record<string, string> = { "access-control-allow-origin": "*", "cache-control": "no-store" };
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  res.writeHead(status, { ...headers, "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text.trim() === "" ? {} : JSON.parse(text);
}

/** `?server=all|<name>`; default is the fake that received the call. */
function scope(url: URL, own: ServerName): ServerName | undefined {
  const wanted = url.searchParams.get("server");
  if (wanted === "all") return undefined;
  if (wanted && (SERVER_NAMES as readonly string[]).includes(wanted)) return wanted as ServerName;
  return own;
}

/**
 * The HTTP face of LabControl (`/__lab/*` on every fake): the JSON shape of a fault is the API.
 * POSTed faults apply to the receiving fake unless the body names another `server`.
 */
export async function handleControlRequest(control: LabControl, own: ServerName, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const method = req.method ?? "GET";
  if (method === "OPTIONS") {
    res.writeHead(204, { "access-control-allow-origin": "*", "access-control-allow-methods": "GET, POST, DELETE", "access-control-allow-headers": "content-type" });
    res.end();
    return;
  }
  const path = url.pathname;
  if (path === "/__lab/faults" && method === "POST") {
    let body: unknown;
    try {
      body = await readJson(req);
    } catch {
      return send(res, 400, { error: "body is not JSON", validKinds: FAULT_KINDS });
    }
    const rule = (body ?? {}) as { route?: unknown; faults?: unknown; server?: unknown };
    const server = rule.server === undefined ? own : rule.server;
    if (server !== "all" && !(SERVER_NAMES as readonly unknown[]).includes(server)) {
      return send(res, 400, { error: `server must be one of ${SERVER_NAMES.join(", ")} or "all"`, validKinds: FAULT_KINDS });
    }
    const added = control.addFaults({
      route: rule.route as string,
      faults: rule.faults as never,
      ...(server === "all" ? {} : { server: server as ServerName }),
    });
    if (!added.ok) return send(res, 400, { error: added.error, validKinds: FAULT_KINDS });
    return send(res, 201, { faults: control.listFaults() });
  }
  if (path === "/__lab/faults" && method === "GET") return send(res, 200, control.listFaults());
  if (path === "/__lab/faults" && method === "DELETE") {
    control.resetFaults();
    return send(res, 204);
  }
  if (path === "/__lab/events" && method === "GET") return send(res, 200, control.events(scope(url, own)));
  if (path === "/__lab/events" && method === "DELETE") {
    control.clearEvents();
    return send(res, 204);
  }
  if (path === "/__lab/stats" && method === "GET") return send(res, 200, control.stats(scope(url, own)));
  if (path === "/__lab/seed" && method === "POST") {
    const body = (await readJson(req).catch(() => ({}))) as { seed?: unknown };
    if (typeof body.seed !== "number" || !Number.isInteger(body.seed)) return send(res, 400, { error: "seed must be an integer" });
    control.reseed(body.seed);
    return send(res, 204);
  }
  return send(res, 404, { error: "unknown lab route; try GET/POST/DELETE /__lab/faults, GET/DELETE /__lab/events, GET /__lab/stats, POST /__lab/seed" });
}
