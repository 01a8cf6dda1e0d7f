import { VIRTUAL_CLOCK } from "../../invariants/types";
import type { FleetTrace } from "../trace";
import { fleetRetryBudget } from "./fleet-retry-budget";
import { refusalsEndAfterClose } from "./refusals-end-after-close";
import { singleFleetProbe } from "./single-fleet-probe";
import type { FleetInvariant, Violation } from "./types";

/** Every fleet invariant; each one's violations carry its name. */
export const FLEET_INVARIANTS: readonly FleetInvariant[] = [singleFleetProbe, refusalsEndAfterClose, fleetRetryBudget];

/** Every violation the fleet invariants report (the simulation runs on the virtual clock). */
export function fleetViolations(trace: FleetTrace): Violation[] {
  return FLEET_INVARIANTS.flatMap((invariant) => invariant.check(trace, VIRTUAL_CLOCK));
}
