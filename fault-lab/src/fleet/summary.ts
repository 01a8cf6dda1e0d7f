import type { FleetFigures, PhaseFigures } from "./figures";
import type { Violation } from "../invariants/types";
import type { FleetTrace } from "./trace";

const fixed = (value: number | null, digits = 2): string => (value === null ? "-" : value.toFixed(digits));
const pct = (value: number): string => `${(value * 100).toFixed(1)}%`;

const COLUMNS: [string, (phase: PhaseFigures) => string][] = [
  ["phase", (phase) => phase.name],
  ["ai ok/all", (phase) => `${phase.aiOk}/${phase.aiRequests}`],
  ["v2 ok/all", (phase) => `${phase.v2Ok}/${phase.v2Requests}`],
  ["global/ai", (phase) => fixed(phase.globalCallsPerAi)],
  ["objects/ai", (phase) => fixed(phase.objectCallsPerAi)],
  ["busy", (phase) => pct(phase.busyFraction)],
  ["queue max/avg", (phase) => `${phase.maxQueue}/${fixed(phase.avgQueue)}`],
  ["do ms p50/p99", (phase) => `${fixed(phase.addedLatencyP50Ms, 0)}/${fixed(phase.addedLatencyP99Ms, 0)}`],
  ["backend/window", (phase) => (phase.backendPerWindow.length ? phase.backendPerWindow.join(",") : "-")],
  ["probes/window", (phase) => (phase.backendProbesPerWindow.length ? phase.backendProbesPerWindow.join(",") : "-")],
  ["backend/v2", (phase) => fixed(phase.backendAttemptsPerV2)],
  ["recovery s", (phase) => (phase.recoveryMs === null ? "-" : fixed(phase.recoveryMs / 1000, 1))],
];

export function summaryLine(trace: FleetTrace, figures: FleetFigures, wallMs: number): string {
  return `fleet isolates=${trace.config.isolates} global-do-calls-per-healthy-ai-request=${figures.globalCallsPerHealthyAi.toFixed(2)} provider-probes-per-window-max=${figures.probesPerWindowMax} backend-requests-per-window-max=${figures.backendPerWindowMax} recovery-s=${(figures.recoveryMs / 1000).toFixed(1)} wall-s=${(wallMs / 1000).toFixed(1)}`;
}

/** The human summary; its last line is the machine-readable `fleet …` line. */
export function renderSummary(trace: FleetTrace, figures: FleetFigures, violations: readonly Violation[], wallMs: number): string {
  const { config } = trace;
  const rows = [COLUMNS.map(([name]) => name), ...figures.phases.map((phase) => COLUMNS.map(([, cell]) => cell(phase)))];
  const widths = COLUMNS.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const table = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd());
  const windows = figures.windows.map(
    (window) =>
      `  ${window.provider} window ${((window.openedAt - trace.startedAt) / 1000).toFixed(1)}–${((window.endedAt - trace.startedAt) / 1000).toFixed(1)} s (${window.ending}): ${window.requests} provider requests, ${window.probes} probe(s)`,
  );
  const lines = [
    `fleet: ${config.isolates} isolates, seed ${config.seed}, ${config.aiPerSec} AI + ${config.v2PerSec} /api/v2 requests/s per isolate, object service ${config.serviceMs} ms, max RTT ${config.maxRttMs.toFixed(0)} ms${config.isolateStatePerIsolate ? "" : " (one shared Worker module state: isolate-state not merged)"}`,
    `fleet: ${trace.requests.length} client requests, ${trace.attempts.length} upstream requests, ${trace.calls.length} object calls over ${((trace.endedAt - trace.startedAt) / 1000).toFixed(0)} s of virtual time`,
    ...table,
    "provider breaker windows (fleet-wide):",
    ...(windows.length ? windows : ["  none"]),
    ...(violations.length ? violations.map((found) => `INVARIANT BROKEN ${found.invariant}: ${found.message}`) : ["fleet invariants: all hold"]),
    summaryLine(trace, figures, wallMs),
  ];
  return lines.join("\n") + "\n";
}
