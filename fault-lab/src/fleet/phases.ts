import type { FaultRule } from "../control/lab-control";
import type { PhaseSpan } from "./trace";

/** One phase of fleet traffic: how long it lasts and which faults the shared fault table holds. */
export interface Phase {
  name: string;
  ms: number;
  outage: "provider" | "backend" | null;
  faults: FaultRule[];
}

const providerDown: FaultRule = { route: "*", server: "gemini", faults: [{ kind: "status", status: 503 }] };
const backendDown: FaultRule = { route: "*", server: "backend", faults: [{ kind: "status", status: 503 }] };

/**
 * healthy → provider outage → heal → backend outage → heal. Each heal lasts longer than the open
 * window it must outlive (provider 30 s, backend 20 s by default) plus a learning interval.
 */
export const DEFAULT_PHASES: readonly Phase[] = [
  { name: "healthy", ms: 30_000, outage: null, faults: [] },
  { name: "provider-outage", ms: 60_000, outage: "provider", faults: [providerDown] },
  { name: "provider-heal", ms: 45_000, outage: null, faults: [] },
  { name: "backend-outage", ms: 60_000, outage: "backend", faults: [backendDown] },
  { name: "backend-heal", ms: 40_000, outage: null, faults: [] },
];

/** The same phases with every duration multiplied (tests run short phases). */
export function scalePhases(phases: readonly Phase[], factor: number): Phase[] {
  return phases.map((phase) => ({ ...phase, ms: Math.round(phase.ms * factor) }));
}

export function phaseSpans(phases: readonly Phase[], startMs: number): PhaseSpan[] {
  let from = startMs;
  return phases.map((phase) => {
    const span = { name: phase.name, from, to: from + phase.ms, outage: phase.outage };
    from = span.to;
    return span;
  });
}
