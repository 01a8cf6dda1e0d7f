import { http, HttpResponse, type HttpHandler } from "msw";
import { backendService } from "../../fault-lab/src/fakes/backend";
import { VPS_ORIGIN, type ManualClock } from "./proxy-harness";

/** One request as the fake backend saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

export type Reply = (request: Request, attempt: number) => Response | Promise<Response>;

/**
 * A fake backend behind VPS_ORIGIN that records every request it receives and answers with
 * `reply(request, n)` (n counts from 1). The recorder is what tests assert on: attempts, headers,
 * resent bodies.
 */
export function fakeBackend(reply: Reply): { handler: HttpHandler; seen: SeenRequest[] } {
  const seen: SeenRequest[] = [];
  const handler = http.all(`${VPS_ORIGIN}/*`, async ({ request }) => {
    const body = new Uint8Array(await request.clone().arrayBuffer());
    seen.push({ method: request.method, url: request.url, headers: Object.fromEntries(request.headers), body });
    return reply(request, seen.length);
  });
  return { handler, seen };
}

export const ok = (): Response => HttpResponse.json({ ok: true });
/** The lab fake backend's own 503 body (fault-lab/src/fakes/backend.ts). */
export const unavailable = (headers: Record<string, string> = {}): Response => HttpResponse.json(backendService.errorBody(503) as Record<string, unknown>, { status: 503, headers });

/** Answers `failures` times with 503, then 200. */
export const failThenOk =
  (failures: number): Reply =>
  (_request, attempt) =>
    attempt <= failures ? unavailable() : ok();

/** A reply that waits until the test opens the gate: keeps requests "in flight" on demand. */
export function gate(): { reply: Reply; open(response?: () => Response): void } {
  let release!: (response: () => Response) => void;
  const opened = new Promise<() => Response>((resolve) => {
    release = resolve;
  });
  return {
    // A fresh Response per request: a body can be sent only once.
    reply: async () => (await opened)(),
    open: (response = ok) => release(response),
  };
}

/**
 * A backend that never sends headers: the request lasts until the Worker's attempt timer fires,
 * which on the tests' clock is at once (the clock moves by the timeout).
 */
export const hangUntilTimeout =
  (clock: ManualClock): Reply =>
  () => {
    clock.elapseNextTimer();
    return new Promise<never>(() => undefined);
  };

/** An event stream whose events the test sends (`push`) and ends (`end`), with no real waits. */
export function pushedEventStream(): { reply: Reply; push(data: string): void; end(): void } {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
    },
  });
  return {
    reply: () => new HttpResponse(body, { headers: { "content-type": "text/event-stream" } }),
    push: (data) => controller.enqueue(encoder.encode(`data: ${data}\n\n`)),
    end: () => controller.close(),
  };
}
