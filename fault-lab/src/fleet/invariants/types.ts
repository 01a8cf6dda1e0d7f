import type { Invariant, Violation } from "../../invariants/types";
import type { FleetTrace } from "../trace";

export type { Violation };

/** A fleet invariant has the explorer's shape (`Invariant`), judging a whole fleet run. */
export type FleetInvariant = Invariant<FleetTrace>;

/** A fleet rule that reports its first violation, written as `(trace) -> violation | null`. */
export function fleetInvariant(name: string, description: string, find: (trace: FleetTrace) => Violation | null): FleetInvariant {
  return {
    name,
    description,
    check(trace) {
      const found = find(trace);
      return found === null ? [] : [found];
    },
  };
}

export const violation = (invariant: string, message: string): Violation => ({ invariant, message });

export const seconds = (trace: FleetTrace, t: number): string => `${((t - trace.startedAt) / 1000).toFixed(3)} s`;
