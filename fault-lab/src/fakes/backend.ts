import { untilAborted } from "../clock/clock";
import { jsonResponse } from "./json";
import type { FakeContext, FakeService } from "./service";

const SSE_DEFAULT_EVENTS = 3;
const SSE_DEFAULT_INTERVAL_MS = 100;
const encoder = new TextEncoder();

function intParam(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = query.get(name);
  const value = Number(raw);
  return raw !== null && Number.isInteger(value) && value >= 0 ? Math.min(value, max) : fallback;
}

/**
 * Heartbeat stream; `?events=N&intervalMs=M`; cut (the stream errors: the transport drops the
 * connection) or stalled (silent until the client leaves) by SSE faults.
 */
function streamEvents(request: Request, { shaping, clock, signal }: FakeContext): Response {
  const query = new URL(request.url).searchParams;
  const total = intParam(query, "events", SSE_DEFAULT_EVENTS, 100_000);
  const interval = intParam(query, "intervalMs", SSE_DEFAULT_INTERVAL_MS, 60_000);
  let index = 0;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(": stream open\n\n"));
    },
    async pull(controller) {
      if (index >= total) {
        controller.enqueue(encoder.encode("event: end\ndata: {}\n\n"));
        return controller.close();
      }
      if (shaping.sseCutAfterEvents !== undefined && index >= shaping.sseCutAfterEvents) {
        return controller.error(new TypeError("terminated: the fake cut the event stream"));
      }
      if (shaping.sseStallAfterEvents !== undefined && index >= shaping.sseStallAfterEvents) await untilAborted(signal);
      index += 1;
      controller.enqueue(encoder.encode(`event: heartbeat\nid: ${index}\ndata: ${JSON.stringify({ n: index })}\n\n`));
      if (index < total) await clock.sleep(interval, signal);
    },
  });
  const headers = new Headers({ "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  const requestId = request.headers.get("x-request-id");
  if (requestId !== null) headers.set("x-request-id", requestId);
  return new Response(stream, { status: 200, headers });
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

const ticketCookie = (seq: number): string => `pb_stream_ticket=ticket-${seq}; HttpOnly; Path=/api/v2/events; SameSite=Lax; Max-Age=60`;

/** Fake PocketBrain backend (`VPS_API_ORIGIN`) for /api/v2/*. */
export const backendService: FakeService = {
  name: "backend",
  errorBody: (status) => ({ error: { code: status >= 500 ? "UPSTREAM_ERROR" : "BAD_REQUEST", message: `fake backend answered ${status}` } }),
  async handle(request, ctx) {
    const { shaping, event } = ctx;
    const route = `${request.method} ${new URL(request.url).pathname}`;
    switch (route) {
      case "GET /api/v2/sync/pull":
        return jsonResponse(request, 200, { changes: [{ id: "note-1", title: "Lab note", updatedAt: 1_700_000_000_000 }], cursor: `c${event.seq}`, hasMore: false }, shaping);
      case "POST /api/v2/sync/push": {
        const bytes = new Uint8Array(await request.arrayBuffer());
        let body: unknown = null;
        try {
          body = JSON.parse(new TextDecoder().decode(bytes));
        } catch {
          body = null;
        }
        return jsonResponse(request, 200, { accepted: countItems(body), bytes: bytes.length, echo: body }, shaping);
      }
      case "POST /api/v2/events/ticket":
        return jsonResponse(request, 200, { ticket: `ticket-${event.seq}`, expiresInSec: 60 }, shaping, { "set-cookie": ticketCookie(event.seq) });
      case "GET /api/v2/events":
        return streamEvents(request, ctx);
      // A backend that tries to set the Worker's own session cookie (compromised or buggy): the
      // Worker must pass only the backend's own cookie names on.
      case "POST /api/v2/lab/hostile-cookies":
        return jsonResponse(request, 200, { ok: true }, shaping, {
          "set-cookie": ["pb_ai_session=00000000-0000-4000-8000-00000000bad0; HttpOnly; Path=/; SameSite=Lax; Max-Age=3600", ticketCookie(event.seq), "backend_tracking=1; Path=/"],
        });
      default:
        return jsonResponse(request, 404, { error: { code: "NOT_FOUND", message: `fake backend has no ${route}` } }, shaping);
    }
  },
};
