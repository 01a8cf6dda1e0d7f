import { ControlPlaneDO } from "../../../worker/src/control-plane";
import type { DoNamespace, DoStub } from "../../../worker/src/env";
import { resetMetrics } from "../../../worker/src/metrics";
import { resetVpsCircuit } from "../../../worker/src/vps-circuit";
import { resetControlPlaneFallback } from "../../../worker/src/control-plane-client";
import { resetRetryBudget } from "../../../worker/src/proxy";

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

/** Map-backed Durable Object storage with the subset of the API the control plane uses. */
function createMemoryStorage() {
  const data = new Map<string, unknown>();
  return {
    data,
    async get(keyOrKeys: string | string[]) {
      if (Array.isArray(keyOrKeys)) return new Map(keyOrKeys.filter((key) => data.has(key)).map((key) => [key, structuredClone(data.get(key))]));
      return structuredClone(data.get(keyOrKeys));
    },
    async put(keyOrEntries: string | Record<string, unknown>, value?: unknown) {
      if (typeof keyOrEntries === "string") data.set(keyOrEntries, structuredClone(value));
      else for (const [key, entry] of Object.entries(keyOrEntries)) data.set(key, structuredClone(entry));
    },
    async delete(key: string | string[]) {
      const keys = Array.isArray(key) ? key : [key];
      let removed = 0;
      for (const name of keys) if (data.delete(name)) removed += 1;
      return Array.isArray(key) ? removed : removed > 0;
    },
    async list() {
      return new Map([...data.entries()].map(([key, value]) => [key, structuredClone(value)]));
    },
  };
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
            const storage = createMemoryStorage();
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
