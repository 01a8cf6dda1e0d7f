import { providerWindows } from "../windows";
import { seconds, violation, fleetInvariant } from "./types";

/**
 * At most one provider request per half-open window in the whole fleet: the shared breaker grants
 * exactly one probe (docs/api.md#ai-providers), whichever isolate asks.
 */
export const singleFleetProbe = fleetInvariant("fleet-single-probe", "at most one provider request per half-open window, fleet-wide", (trace) => {
  for (const window of providerWindows(trace)) {
    if (window.probes > 1) {
      return violation(
        "fleet-single-probe",
        `${window.probes} ${window.provider} requests went out in the half-open window that began at ${seconds(trace, window.halfOpenAt!)} (opened at ${seconds(trace, window.openedAt)}); the fleet may send one probe`,
      );
    }
  }
  return null;
});
