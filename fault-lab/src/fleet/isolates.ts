import { handleRequest } from "../../../worker/src/index";
import { createIsolateState } from "../../../worker/src/isolate-state";
import { view } from "../../../worker/src/breaker";
import type { Deps } from "../../../worker/src/deps";
import type { WorkerEnv } from "../../../worker/src/env";

export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}

/** One isolate of the real Worker: the same module code, this isolate's own state. */
export interface WorkerIsolate {
  handle(request: Request, env: WorkerEnv, deps: Deps, executionContext: ExecutionContextLike): Promise<Response>;
  /** This isolate's /api/v2 circuit as its metrics would show it now. */
  vpsCircuitPhase(now: number): "closed" | "open" | "half-open";
}

/** N isolates on one copy of the Worker's code, each with its own IsolateState. */
export function createWorkerIsolates(count: number, startedAt: number): WorkerIsolate[] {
  return Array.from({ length: count }, () => {
    const isolate = createIsolateState(startedAt);
    return {
      handle: (request, env, deps, executionContext) => handleRequest(request, env, deps, executionContext, isolate),
      vpsCircuitPhase: (now) => view(isolate.vpsCircuit.state, now).state,
    };
  });
}

/** Whether each isolate has its own state (false while the Worker kept module globals). */
export const ISOLATE_STATE_PER_ISOLATE = true;
