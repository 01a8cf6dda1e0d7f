import { breakerCell, type BreakerCell } from "./breaker-cell";
import { controlPlaneMemory, type ControlPlaneMemory } from "./control-plane-core";
import { createMetrics, type MetricsState } from "./metrics-core";
import type { ProviderViews } from "./provider-view";
import { createRetryBudget, type RetryBudgetState } from "./retry-budget";

/**
 * Everything the Worker remembers between requests on one isolate, as one explicit object instead
 * of module globals. Production creates exactly one per isolate (`defaultIsolate`, used by the
 * default export); tests and the fleet simulation create as many as they need on one copy of the
 * code and pass each to `handleRequest`. Route code reaches it as `ctx.isolate`.
 *
 * Caches that are pure functions of their inputs (crypto keys, parsed config) stay module-level:
 * sharing them between simulated isolates changes no decision.
 */
export interface IsolateState {
  /** The /api/v2 backend circuit (docs/api.md#apiv2-passthrough): per isolate, by design. */
  vpsCircuit: BreakerCell;
  /** The /api/v2 retry budget (retries ≤ 20 % of this isolate's recent requests). */
  retryBudget: RetryBudgetState;
  /** This isolate's view of each shared provider breaker (docs/decisions/0006-fleet-breaker-protocol.md). */
  providerViews: ProviderViews;
  /** Where the control plane's decisions run while the Durable Object cannot be reached. */
  controlPlaneFallback: ControlPlaneMemory;
  /** The counters behind /api/v1/metrics (docs/api.md#metrics). */
  metrics: MetricsState;
  /** The insecure-dev-auth warning is logged once per isolate. */
  insecureAuthWarned: boolean;
}

/** A fresh isolate; `startedAt` (default: the real clock) is where `uptimeMs` counts from. */
export function createIsolateState(startedAt: number = Date.now()): IsolateState {
  return {
    vpsCircuit: breakerCell(),
    retryBudget: createRetryBudget(),
    providerViews: new Map(),
    controlPlaneFallback: controlPlaneMemory(),
    metrics: createMetrics(startedAt),
    insecureAuthWarned: false,
  };
}

/**
 * This isolate's state in production: the one module-level instance, used by the default export's
 * fetch and by `handleRequest` when no isolate is passed.
 */
export const defaultIsolate: IsolateState = createIsolateState();
