import type { LabControl } from "../control/lab-control";
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
  const uninstall = control.observe({
    async onAttempt(event, shaping) {
      const observation: AttemptObservation = { epoch: currentEpoch(), circuit: closed, retryAfterSec: null };
      observations.set(event.seq, observation);
      // One connection per attempt: an idle keep-alive socket the fake closes (after 1 s) just as
      // workerd reuses it loses the attempt on the wire before the fake logs it.
      shaping.closeConnection = true;
      if (event.server === "backend") observation.circuit = await readCircuit().catch(() => closed);
    },
    onSettled(event, response) {
      const header = response?.headers.get("retry-after");
      const observation = observations.get(event.seq);
      if (observation && header) observation.retryAfterSec = retryAfterSeconds(header, control.now());
    },
  });
  return { observations, uninstall };
}
