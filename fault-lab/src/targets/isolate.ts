import { ControlPlaneDO } from "../../../worker/src/control-plane";
import type { DoNamespace, DoStub } from "../../../worker/src/env";
import { resetMetrics } from "../../../worker/src/metrics";
import { resetVpsCircuit } from "../../../worker/src/vps-circuit";
import { resetControlPlaneFallback } from "../../../worker/src/control-plane-client";
import { resetRetryBudget } from "../../../worker/src/proxy";
import { createMemoryDoStorage } from "../../../worker/unit/memory-do-storage";

/**
 * Module-level state that lives as long as an isolate: the /api/v2 circuit, the metrics, the retry
 * budget and the control plane's in-memory fallbacks. A restart (or a new schedule) starts clean.
 */
export function resetIsolateState(): void {
  resetMetrics();
  resetVpsCircuit();
  resetRetryBudget();
  resetControlPlaneFallback();
}

export interface SwitchableDoNamespace extends DoNamespace {
  /** While down, every stub call throws like an unreachable Durable Object. */
  down: boolean;
}

/**
 * A DO namespace that instantiates the real ControlPlaneDO per name with in-memory storage. Its
 * objects survive Worker restarts, like the real ones; `down` simulates the DO being unreachable.
 */
export function createDoNamespace(env: Record<string, unknown>): SwitchableDoNamespace {
  const objects = new Map<string, ControlPlaneDO>();
  const namespace: SwitchableDoNamespace = {
    down: false,
    idFromName: (name: string) => ({ name, toString: () => name }),
    get(id: never): DoStub {
      const name = (id as { name: string }).name;
      return {
        async fetch(input: string | Request, init?: RequestInit) {
          if (namespace.down) throw new Error("Durable Object unreachable (explorer outage step)");
          let object = objects.get(name);
          if (!object) {
            const storage = createMemoryDoStorage().api;
            const state = { id, storage, blockConcurrencyWhile: <T>(fn: () => Promise<T>) => fn(), waitUntil: () => undefined };
            object = new ControlPlaneDO(state as never, env as never);
            objects.set(name, object);
          }
          return object.fetch(input instanceof Request && init === undefined ? input : new Request(input, init));
        },
      };
    },
  };
  return namespace;
}
