import { ControlPlaneDO, type ControlPlaneState } from "../src/control-plane";
import type { DoNamespace, WorkerEnv } from "../src/env";
import { ApiError } from "../src/errors";
import { expect } from "vitest";
import { createMemoryDoStorage, type MemoryDoStorage } from "./memory-do-storage";

/** Durable storage of one object: survives eviction, counts writes (one put per snapshot). */
export type FakeStorage = MemoryDoStorage;

/**
 * A CONTROL_PLANE_DO namespace for plain Node, shaped like the PocketBrain repo's fakes
 * (`idFromName`, `get(id).fetch(url, init)`), backed by real ControlPlaneDO instances. Storage
 * round-trips through JSON like the real one; `evict(name)` drops the instance and keeps storage.
 */
export function createControlPlaneNamespace(env: WorkerEnv, clock: () => number = Date.now): DoNamespace & {
  storage(name: string): FakeStorage;
  evict(name: string): void;
  instances(): number;
  /** Runs the object's alarm now, as the platform would at the scheduled time (false: none set). */
  runAlarm(name: string): Promise<boolean>;
  /** Names of objects that still hold any stored data. */
  stored(): string[];
  failing: boolean;
} {
  const storages = new Map<string, FakeStorage>();
  const live = new Map<string, ControlPlaneDO>();
  const storageOf = (name: string): FakeStorage => {
    let storage = storages.get(name);
    if (!storage) {
      storage = createMemoryDoStorage();
      storages.set(name, storage);
    }
    return storage;
  };
  const instanceOf = (name: string): ControlPlaneDO => {
    let instance = live.get(name);
    if (!instance) {
      const state: ControlPlaneState = { storage: storageOf(name).api, blockConcurrencyWhile: (callback) => callback() };
      instance = new ControlPlaneDO(state, env, clock);
      live.set(name, instance);
    }
    return instance;
  };
  const namespace = {
    failing: false,
    idFromName: (name: string) => ({ name }),
    get: (id: never) => ({
      fetch: async (input: string | Request, init?: RequestInit) => {
        if (namespace.failing) throw new Error("Durable Object unreachable (simulated)");
        return instanceOf((id as { name: string }).name).fetch(new Request(input, init));
      },
    }),
    storage: storageOf,
    evict: (name: string) => void live.delete(name),
    instances: () => live.size,
    async runAlarm(name: string) {
      const storage = storageOf(name);
      if (storage.alarm === null) return false;
      storage.alarm = null;
      await instanceOf(name).alarm();
      return true;
    },
    stored: () => [...storages].filter(([, storage]) => storage.data.size > 0).map(([name]) => name),
  };
  return namespace;
}

/** Talks to one object with its JSON protocol, as a second "isolate" would. */
export async function post<T>(namespace: DoNamespace, name: string, path: string, body: unknown): Promise<{ status: number; body: T }> {
  const response = await namespace.get(namespace.idFromName(name) as never).fetch(`https://control-plane${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** The ApiError a call is refused with (the test fails when it resolves instead). */
export async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}
