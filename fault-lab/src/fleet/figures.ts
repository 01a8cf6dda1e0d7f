import type { FleetTrace, PhaseSpan } from "./trace";
import { providerWindows, type ProviderWindow } from "./windows";

/** The figures of one phase (docs/fleet.md explains each). */
export interface PhaseFigures {
  name: string;
  fromMs: number;
  toMs: number;
  outage: PhaseSpan["outage"];
  aiRequests: number;
  aiOk: number;
  v2Requests: number;
  v2Ok: number;
  globalCalls: number;
  /** Calls to the global object per AI request started in the phase. */
  globalCallsPerAi: number | null;
  /** Calls to any object (global + rate-limit buckets) per AI request. */
  objectCallsPerAi: number | null;
  busyFraction: number;
  maxQueue: number;
  avgQueue: number;
  addedLatencyP50Ms: number | null;
  addedLatencyP99Ms: number | null;
  /** Backend requests per circuit window (VPS_PROXY_CIRCUIT_OPEN_MS) of the phase, in order. */
  backendPerWindow: number[];
  /** Of those, probes: sent while the sending isolate's circuit was half-open. */
  backendProbesPerWindow: number[];
  /** Backend attempts per /api/v2 request. */
  backendAttemptsPerV2: number | null;
  /** Heal phases: from the heal until the last failed answer of the kind the outage broke. */
  recoveryMs: number | null;
}

export interface FleetFigures {
  phases: PhaseFigures[];
  windows: ProviderWindow[];
  globalCallsPerHealthyAi: number;
  probesPerWindowMax: number;
  /** Max backend requests in one window of a backend outage, after its onset window. */
  backendPerWindowMax: number;
  recoveryMs: number;
}

export function percentile(values: readonly number[], fraction: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

const within = (t: number, phase: PhaseSpan) => t >= phase.from && t < phase.to;
const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);

function phaseFigures(trace: FleetTrace, phase: PhaseSpan, previous: PhaseSpan | undefined): PhaseFigures {
  const requests = trace.requests.filter((request) => within(request.t, phase));
  const ai = requests.filter((request) => request.kind === "ai");
  const v2 = requests.filter((request) => request.kind === "v2");
  const calls = trace.calls.filter((call) => within(call.arriveAt, phase));
  const global = calls.filter((call) => call.global);
  const busyMs = global.reduce((sum, call) => sum + (call.doneAt - call.startAt), 0);
  const backend = trace.attempts.filter((attempt) => attempt.server === "backend" && within(attempt.t, phase));
  const windowMs = trace.config.vpsOpenMs;
  const backendPerWindow: number[] = [];
  const backendProbesPerWindow: number[] = [];
  if (phase.outage === "backend") {
    for (let from = phase.from; from < phase.to; from += windowMs) {
      const inWindow = backend.filter((attempt) => attempt.t >= from && attempt.t < from + windowMs);
      backendPerWindow.push(inWindow.length);
      backendProbesPerWindow.push(inWindow.filter((attempt) => attempt.circuit === "half-open").length);
    }
  }
  let recoveryMs: number | null = null;
  if (phase.outage === null && previous?.outage) {
    const broken = previous.outage === "provider" ? ai : v2;
    const failed = broken.filter((request) => request.status >= 500);
    recoveryMs = failed.length === 0 ? 0 : Math.max(...failed.map((request) => request.t)) - phase.from;
  }
  const latencies = ai.map((request) => request.doWaitMs);
  return {
    name: phase.name,
    fromMs: phase.from - trace.startedAt,
    toMs: phase.to - trace.startedAt,
    outage: phase.outage,
    aiRequests: ai.length,
    aiOk: ai.filter((request) => request.status < 400).length,
    v2Requests: v2.length,
    v2Ok: v2.filter((request) => request.status < 400).length,
    globalCalls: global.length,
    globalCallsPerAi: ratio(global.length, ai.length),
    objectCallsPerAi: ratio(calls.length, ai.length),
    busyFraction: busyMs / Math.max(1, phase.to - phase.from),
    maxQueue: Math.max(0, ...global.map((call) => call.queueLength)),
    avgQueue: ratio(global.reduce((sum, call) => sum + call.queueLength, 0), global.length) ?? 0,
    addedLatencyP50Ms: percentile(latencies, 0.5),
    addedLatencyP99Ms: percentile(latencies, 0.99),
    backendPerWindow,
    backendProbesPerWindow,
    backendAttemptsPerV2: ratio(backend.length, v2.length),
    recoveryMs,
  };
}

export function fleetFigures(trace: FleetTrace): FleetFigures {
  const phases = trace.phases.map((phase, index) => phaseFigures(trace, phase, trace.phases[index - 1]));
  const windows = providerWindows(trace);
  const healthy = phases.find((phase) => phase.name === "healthy") ?? phases[0];
  const steadyBackend = phases.flatMap((phase) => (phase.backendPerWindow.length > 1 ? phase.backendPerWindow.slice(1) : phase.backendPerWindow));
  return {
    phases,
    windows,
    globalCallsPerHealthyAi: healthy?.globalCallsPerAi ?? 0,
    probesPerWindowMax: Math.max(0, ...windows.map((window) => window.probes)),
    backendPerWindowMax: Math.max(0, ...steadyBackend),
    recoveryMs: Math.max(0, ...phases.map((phase) => phase.recoveryMs ?? 0)),
  };
}
