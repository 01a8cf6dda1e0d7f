import type { Violation } from "../lab-imports";
import type { FleetTrace } from "../trace";

export type { Violation };

/** A fleet invariant: the explorer's shape (trace in, first violation or null out) over a fleet trace. */
export type FleetInvariant = (trace: FleetTrace) => Violation | null;

export const violation = (invariant: string, message: string): Violation => ({ invariant, message });

export const seconds = (trace: FleetTrace, t: number): string => `${((t - trace.startedAt) / 1000).toFixed(3)} s`;
