import type { LabControl, LabEvent, ServerName } from "../control";
import type { ParsedFault } from "../faults/registry";
import type { FaultContext, RegisteredFault } from "../faults/types";
import type { CircuitView } from "../../../worker/src/metrics";
import { retryAfterSeconds } from "./workerd-mapping";

/** Kind recorded in an event's `faults` for the explorer's own observation step (stripped from traces). */
export const PROBE_KIND = "explorer-observe";

export interface AttemptObservation {
  epoch: number;
  circuit: CircuitView;
  retryAfterSec: number | null;
}

export interface AttemptProbe {
  observations: Map<number, AttemptObservation>;
  /** Restores the control's original methods. */
  uninstall(): void;
}

/**
 * Observes every upstream attempt on the real stack the way the in-process fakes do: when an
 * attempt reaches a fake, before any fault, the /api/v2 circuit is read from the Worker while the
 * attempt is still held (a half-open probe is still in flight then), and the Retry-After the fake
 * writes is captured. Done by wrapping the shared LabControl in this process — the fakes iterate
 * `control.takeFaults(...)` right after `control.record(...)` with no await in between, so the
 * last recorded event is the attempt being served.
 */
export function installAttemptProbe(control: LabControl, readCircuit: () => Promise<CircuitView>, currentEpoch: () => number, closed: CircuitView): AttemptProbe {
  const observations = new Map<number, AttemptObservation>();
  const originalRecord = control.record;
  const originalTake = control.takeFaults;
  let last: LabEvent | null = null;
  control.record = (event) => (last = originalRecord(event));

  const observe = (server: ServerName, event: LabEvent): ParsedFault => {
    const fault: RegisteredFault = {
      kind: PROBE_KIND,
      description: "explorer: sample the circuit and capture Retry-After",
      parse: () => ({ ok: true, value: null }),
      async apply(_params: unknown, ctx: FaultContext) {
        const observation: AttemptObservation = { epoch: currentEpoch(), circuit: closed, retryAfterSec: null };
        observations.set(event.seq, observation);
        // One connection per attempt: an idle keep-alive socket the fake closes (after 1 s) just as
        // workerd reuses it loses the attempt on the wire before the fake logs it — a lab artefact
        // that windows of ~1 s hit often, and that would read as a metrics mismatch.
        ctx.res.shouldKeepAlive = false;
        const writeHead = ctx.res.writeHead;
        ctx.res.writeHead = function (this: typeof ctx.res, ...args: unknown[]) {
          const headers = args.find((arg): arg is Record<string, unknown> => typeof arg === "object" && arg !== null && !Array.isArray(arg));
          if (headers && "connection" in headers) headers.connection = "close";
          const header = headers?.["retry-after"];
          if (typeof header === "string" || typeof header === "number") observation.retryAfterSec = retryAfterSeconds(String(header), ctx.now());
          return (writeHead as (...rest: unknown[]) => typeof ctx.res).apply(this, args);
        } as typeof ctx.res.writeHead;
        if (server === "backend") observation.circuit = await readCircuit().catch(() => closed);
        return "continue";
      },
    };
    return { spec: { kind: PROBE_KIND }, fault, params: null };
  };

  control.takeFaults = function* (server, route) {
    if (last) yield observe(server, last);
    yield* originalTake(server, route);
  };
  return {
    observations,
    uninstall() {
      control.record = originalRecord;
      control.takeFaults = originalTake;
    },
  };
}
