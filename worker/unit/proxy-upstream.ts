import { http, HttpResponse, type HttpHandler } from "msw";
import { installLabNetwork, type LabNetwork, type MswServer } from "../../fault-lab/src/adapters/msw";
import type { AttemptHooks, ServerName } from "../../fault-lab/src/control/lab-control";
import { backendService } from "../../fault-lab/src/fakes/backend";
import type { FaultSpec } from "../../fault-lab/src/faults/types";
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

export interface LabBackend extends LabNetwork {
  /** Adds a fault rule for `route` ("/api/v2/…" or "*"); rules added earlier are checked first. */
  script(route: string, ...faults: FaultSpec[]): void;
}

/**
 * The lab's backend fake behind VPS_ORIGIN on the test's msw server, its waits on the test's clock:
 * unscripted requests get the fake's normal answers (fault-lab/src/fakes/backend.ts), `script` adds
 * faults, `seen` holds every request with header values and body bytes.
 */
export function labBackend(
  server: MswServer,
  clock: ManualClock,
  options: { hooks?: AttemptHooks; onRequest?(server: ServerName, request: Request): void } = {},
): LabBackend {
  const network = installLabNetwork(server, { clock, origins: { backend: VPS_ORIGIN }, ...options });
  return {
    ...network,
    script(route, ...faults) {
      const added = network.control.addFaults({ route, faults });
      if (!added.ok) throw new Error(added.error);
    },
  };
}

/** Answers with `status` (default body: the fake's real error body); every request unless `times` is given. */
export const statusFault = (status: number, params: Omit<FaultSpec, "kind" | "status"> = {}): FaultSpec => ({ kind: "status", status, ...params });

/** The first `times` requests answered with 503; the fake answers the rest. */
export const unavailableFor = (times: number): FaultSpec => statusFault(503, { times });
