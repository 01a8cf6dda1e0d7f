import type { Simulation } from "../clock/virtual-clock";
import type { LabControl, LabEvent, ServerName } from "../control/lab-control";
import { serveLab } from "../control/serve-lab";
import { LAB_SERVICES } from "../fakes/services";
import { HOSTILE_UPSTREAM_LATENCY_MS } from "../hostile-client";

/** Loopback origins the in-process Worker is configured with; nothing listens on them. */
export const UPSTREAM_ORIGINS: Record<ServerName, string> = {
  backend: "http://127.0.0.1:9701",
  gemini: "http://127.0.0.1:9702",
  openrouter: "http://127.0.0.1:9703",
};

const SERVICE_BY_ORIGIN = new Map(Object.entries(UPSTREAM_ORIGINS).map(([name, origin]) => [origin, LAB_SERVICES[name as ServerName]]));

export interface UpstreamHooks {
  /** Called when an attempt arrives, before any fault: the harness samples the circuit here. */
  onAttempt(event: LabEvent, client: ClientTag | null): void;
  /** Retry-After the fake sent (seconds, or an HTTP-date's offset in seconds), per attempt seq. */
  onRetryAfter(seq: number, seconds: number): void;
  /** Called when the attempt's exchange ends: the fake answered, reset, or the Worker aborted it. */
  onSettled?(seq: number): void;
}

/** The client request (and its schedule step) an outbound attempt is made for. */
export interface ClientTag {
  requestId: string;
  step: number;
  /**
   * The explorer's attacker (hostile.ts): its attempts bypass the fault table — they never consume
   * a fault's `times` or an RNG draw honest attempts would get — and answer after a fixed latency.
   */
  hostile?: boolean;
}

export type UpstreamFetch = (input: Request | string | URL, init?: RequestInit, client?: ClientTag) => Promise<Response>;

/**
 * The lab's fakes and fault table behind one `fetch`, on virtual time: the same serveLab the Node
 * fake servers run, so the explorer sees exactly what `npm run lab` sees. A reset is a rejected
 * fetch (TypeError, as undici reports a dropped connection); an abort rejects with its reason.
 */
export function createUpstreamFetch(control: LabControl, sim: Simulation, hooks: UpstreamHooks): UpstreamFetch {
  return async (input, init, client) => {
    const request = new Request(input, init);
    const origin = new URL(request.url).origin;
    const service = SERVICE_BY_ORIGIN.get(origin);
    if (!service) throw new TypeError(`unhandled outbound request to ${origin}: the explorer only fakes ${[...SERVICE_BY_ORIGIN.keys()].join(", ")}`);
    const signal = init?.signal ?? request.signal;
    const answer = await serveLab(control, service, request, {
      clock: sim,
      signal,
      ...(client?.hostile ? { bypassFaultsAfterMs: HOSTILE_UPSTREAM_LATENCY_MS } : {}),
      hooks: {
        onAttempt: (event) => hooks.onAttempt(event, client ?? null),
        onRetryAfter: (event, seconds) => hooks.onRetryAfter(event.seq, seconds),
        onSettled: (event) => hooks.onSettled?.(event.seq),
      },
    });
    if (answer !== "reset") return answer;
    if (signal.aborted) throw signal.reason;
    throw new TypeError("fetch failed: connection reset by the lab's fake");
  };
}
