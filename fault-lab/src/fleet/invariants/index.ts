import { fleetRetryBudget } from "./fleet-retry-budget";
import { refusalsEndAfterClose } from "./refusals-end-after-close";
import { singleFleetProbe } from "./single-fleet-probe";
import type { FleetInvariant, Violation } from "./types";
import type { FleetTrace } from "../trace";

/** Every fleet invariant, by the name its violations carry. */
export const FLEET_INVARIANTS: Readonly<Record<string, FleetInvariant>> = {
  "fleet-single-probe": singleFleetProbe,
  "fleet-refusal-after-close": refusalsEndAfterClose,
  "fleet-retry-budget": fleetRetryBudget,
};

/** Every broken fleet invariant (each reports its first violation). */
export function fleetViolations(trace: FleetTrace): Violation[] {
  return Object.values(FLEET_INVARIANTS)
    .map((invariant) => invariant(trace))
    .filter((found): found is Violation => found !== null);
}
