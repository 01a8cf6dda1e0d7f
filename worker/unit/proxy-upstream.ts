import { installLabNetwork, type LabNetwork, type MswServer } from "../../fault-lab/src/adapters/msw";
import type { AttemptHooks, ServerName } from "../../fault-lab/src/control/lab-control";
import type { FaultSpec } from "../../fault-lab/src/faults/types";
import { VPS_ORIGIN, type ManualClock } from "./proxy-harness";

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
      network.addRules({ route, faults });
    },
  };
}

/** Answers with `status` (default body: the fake's real error body); every request unless `times` is given. */
export const statusFault = (status: number, params: Omit<FaultSpec, "kind" | "status"> = {}): FaultSpec => ({ kind: "status", status, ...params });

/** The first `times` requests answered with 503; the fake answers the rest. */
export const unavailableFor = (times: number): FaultSpec => statusFault(503, { times });
