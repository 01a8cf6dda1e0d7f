// PLACEHOLDER — owned by the resilience helper; replaced with the real implementation.
import type { WorkerConfig } from "./config";
import type { CircuitView } from "./metrics";

export function vpsCircuitView(_config: WorkerConfig, _now: number): CircuitView {
  return { state: "closed", open: false, openUntil: null, remainingMs: 0 };
}
