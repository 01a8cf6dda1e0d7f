import { view as breakerView, type BreakerState } from "../../../worker/src/breaker";
import { ControlPlaneDO } from "../../../worker/src/control-plane";
import { providerBreakerKey } from "../../../worker/src/keys";
import type { DoNamespace, DoStub } from "../../../worker/src/env";
import type { Simulation } from "../clock/virtual-clock";
import { createObjectQueue, type ObjectQueue } from "./network";
import type { BreakerChange, ObjectCall } from "./trace";
import { createMemoryDoStorage } from "../../../worker/unit/memory-do-storage";

/**
 * The real ControlPlaneDO class, one instance per object name, on in-memory storage whose writes
 * are observed (the shared breaker's transitions), reached through the modelled network.
 */

export interface ControlPlaneHost {
  /** The namespace one isolate sees: every stub call crosses that isolate's round trip. */
  namespaceFor(isolate: number, rttMs: number, onCall?: (call: ObjectCall) => void): DoNamespace;
  readonly calls: ObjectCall[];
  readonly breaker: BreakerChange[];
  readonly globalName: string;
}

const PROVIDER_KEYS = new Map(["gemini", "openrouter"].map((provider) => [providerBreakerKey(provider), provider]));

export function createControlPlaneHost(sim: Simulation, env: Record<string, unknown>, options: { serviceMs: number; globalName: string }): ControlPlaneHost {
  const objects = new Map<string, { object: ControlPlaneDO; queue: ObjectQueue }>();
  const calls: ObjectCall[] = [];
  const breaker: BreakerChange[] = [];
  const lastPhase = new Map<string, string>();

  const onPut = (key: string, value: unknown) => {
    const provider = PROVIDER_KEYS.get(key);
    if (provider === undefined) return;
    const state = value as BreakerState;
    const phase = state.phase === "open" ? "open" : breakerView(state, sim.now()).state;
    // A closed breaker is rewritten on every failure-streak change: only transitions are kept.
    if (phase === "closed" && (lastPhase.get(provider) ?? "closed") === "closed") return;
    lastPhase.set(provider, phase);
    breaker.push({ t: sim.now(), provider, phase });
  };

  const objectFor = (name: string) => {
    let entry = objects.get(name);
    if (!entry) {
      let alarmToken = 0;
      const runAlarmAt = (at: number) => {
        const token = (alarmToken += 1);
        void sim.sleep(Math.max(0, at - sim.now())).then(() => {
          // A later setAlarm replaces this one.
          if (token !== alarmToken || storage.alarm !== at) return;
          storage.alarm = null;
          void created.object.alarm().catch(() => undefined);
        });
      };
      const storage = createMemoryDoStorage({ ...(name === options.globalName ? { onPut } : {}), onAlarm: runAlarmAt });
      const state = { id: { name, toString: () => name }, storage: storage.api, blockConcurrencyWhile: <T>(fn: () => Promise<T>) => fn(), waitUntil: () => undefined };
      const created = { object: new ControlPlaneDO(state as never, env as never, sim.now), queue: createObjectQueue(options.serviceMs) };
      entry = created;
      objects.set(name, entry);
    }
    return entry;
  };

  const sleepUntil = (at: number) => (at > sim.now() ? sim.sleep(at - sim.now()) : Promise.resolve());

  return {
    calls,
    breaker,
    globalName: options.globalName,
    namespaceFor(isolate, rttMs, onCall) {
      const oneWay = rttMs / 2;
      return {
        idFromName: (name: string) => ({ name, toString: () => name }),
        get(id: never): DoStub {
          const name = (id as { name: string }).name;
          return {
            async fetch(input: string | Request, init?: RequestInit) {
              const t = sim.now();
              const request = input instanceof Request && init === undefined ? input : new Request(input, init);
              await sim.sleep(oneWay);
              const { object, queue } = objectFor(name);
              const arriveAt = sim.now();
              const admission = queue.admit(arriveAt);
              await sleepUntil(admission.startMs);
              const response = await object.fetch(request);
              await sleepUntil(admission.doneMs + oneWay);
              const call: ObjectCall = { t, isolate, global: name === options.globalName, path: new URL(request.url).pathname, arriveAt, startAt: admission.startMs, doneAt: admission.doneMs, returnAt: sim.now(), queueLength: admission.queueLength };
              calls.push(call);
              onCall?.(call);
              return response;
            },
          };
        },
      };
    },
  };
}
