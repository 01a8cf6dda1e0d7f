/**
 * Every import of another helper's lab or Worker file used by the fleet simulation, in one place:
 * when the lab's files move (issue 16 layout) only this module is re-pointed.
 */
export { createSimulation, type Simulation } from "../../explorer/sim";
export { createUpstreamFetch, UPSTREAM_ORIGINS, type ClientTag, type UpstreamFetch } from "../../explorer/upstreams";
export { resetIsolateState } from "../../explorer/isolate";
export type { Violation } from "../../explorer/invariants";
export { createLabControl, type FaultRule, type LabControl, type LabEvent } from "../control";
export { createRng, type Rng } from "../rng";
export { createFakeKv } from "../../../worker/unit/fakes";
export { ControlPlaneDO } from "../../../worker/src/control-plane";
export { view as breakerView, type BreakerState } from "../../../worker/src/breaker";
export { getConfig, type WorkerConfig } from "../../../worker/src/config";
export { CONTROL_PLANE_NAME, providerBreakerKey } from "../../../worker/src/keys";
export type { Deps } from "../../../worker/src/deps";
export type { DoNamespace, DoStub, WorkerEnv } from "../../../worker/src/env";

import { handleRequest } from "../../../worker/src/index";
import type { Deps } from "../../../worker/src/deps";
import type { WorkerEnv } from "../../../worker/src/env";
import { resetIsolateState } from "../../explorer/isolate";

export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}

/** One isolate of the real Worker: the same module code, this isolate's own state. */
export interface WorkerIsolate {
  handle(request: Request, env: WorkerEnv, deps: Deps, executionContext: ExecutionContextLike): Promise<Response>;
}

/**
 * Today's Worker keeps per-isolate state in module globals, so every simulated isolate shares one
 * state (the fleet behaves like one big isolate for the /api/v2 circuit and retry budget).
 */
export function createWorkerIsolates(count: number): WorkerIsolate[] {
  resetIsolateState();
  const shared: WorkerIsolate = { handle: (request, env, deps, executionContext) => handleRequest(request, env, deps, executionContext) };
  return Array.from({ length: count }, () => shared);
}

/** Whether each isolate has its own state (false while the Worker keeps module globals). */
export const ISOLATE_STATE_PER_ISOLATE = false;
