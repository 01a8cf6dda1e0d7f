import type { ServerResponse } from "node:http";
import type { ResponseShaping } from "../faults/types";
import type { FakeRequest, FakeService } from "../server";
import { parseJsonBody, sendJson } from "./json";

const SSE_DEFAULT_EVENTS = 3;
const SSE_DEFAULT_INTERVAL_MS = 100;

function intParam(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const value = Number(query.get(name));
  return Number.isInteger(value) && value >= 0 ? Math.min(value, max) : fallback;
}

/** Heartbeat stream; `?events=N&intervalMs=M`; cut or stalled by SSE faults. */
async function streamEvents(request: FakeRequest, res: ServerResponse, shaping: ResponseShaping): Promise<void> {
  const total = intParam(request.query, "events", SSE_DEFAULT_EVENTS, 100_000);
  const interval = intParam(request.query, "intervalMs", SSE_DEFAULT_INTERVAL_MS, 60_000);
  const headers: Record<string, string> = { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" };
  const requestId = request.headers["x-request-id"];
  if (typeof requestId === "string") headers["x-request-id"] = requestId;
  res.writeHead(200, headers);
  res.write(": stream open\n\n");
  let gone = false;
  void request.clientGone.then(() => (gone = true));
  for (let index = 0; index < total; index += 1) {
    if (gone) return;
    if (shaping.sseCutAfterEvents !== undefined && index >= shaping.sseCutAfterEvents) {
      res.socket?.destroy();
      return;
    }
    if (shaping.sseStallAfterEvents !== undefined && index >= shaping.sseStallAfterEvents) {
      await request.clientGone;
      return;
    }
    res.write(`event: heartbeat\nid: ${index + 1}\ndata: ${JSON.stringify({ n: index + 1 })}\n\n`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
  res.end("event: end\ndata: {}\n\n");
}

function countItems(body: unknown): number {
  if (!body || typeof body !== "object") return 0;
  const record = body as Record<string, unknown>;
  for (const field of ["changes", "items", "ops", "notes"]) {
    const value = record[field];
    if (Array.isArray(value)) return value.length;
  }
  return 0;
}

/** Fake PocketBrain backend (`VPS_API_ORIGIN`) for /api/v2/*. */
export const backendService: FakeService = {
  name: "backend",
  errorBody: (status) => ({ error: { code: status >= 500 ? "UPSTREAM_ERROR" : "BAD_REQUEST", message: `fake backend answered ${status}` } }),
  async handle(request, res, shaping) {
    const route = `${request.method} ${request.path}`;
    switch (route) {
      case "GET /api/v2/sync/pull":
        return sendJson(request, res, 200, { changes: [{ id: "note-1", title: "Lab note", updatedAt: 1_700_000_000_000 }], cursor: `c${request.event.seq}`, hasMore: false }, shaping);
      case "POST /api/v2/sync/push": {
        const body = parseJsonBody(request);
        return sendJson(request, res, 200, { accepted: countItems(body), bytes: request.body.length, echo: body }, shaping);
      }
      case "POST /api/v2/events/ticket":
        return sendJson(request, res, 200, { ticket: `ticket-${request.event.seq}`, expiresInSec: 60 }, shaping, {
          "set-cookie": `pb_stream_ticket=ticket-${request.event.seq}; HttpOnly; Path=/api/v2/events; SameSite=Lax; Max-Age=60`,
        });
      case "GET /api/v2/events":
        return streamEvents(request, res, shaping);
      // A backend that tries to set the Worker's own session cookie (compromised or buggy): the
      // Worker must pass only the backend's own cookie names on.
      case "POST /api/v2/lab/hostile-cookies":
        return sendJson(request, res, 200, { ok: true }, shaping, {
          "set-cookie": [
            "pb_ai_session=00000000-0000-4000-8000-00000000bad0; HttpOnly; Path=/; SameSite=Lax; Max-Age=3600",
            `pb_stream_ticket=ticket-${request.event.seq}; HttpOnly; Path=/api/v2/events; SameSite=Lax; Max-Age=60`,
            "backend_tracking=1; Path=/",
          ],
        });
      default:
        return sendJson(request, res, 404, { error: { code: "NOT_FOUND", message: `fake backend has no ${route}` } }, shaping);
    }
  },
};
