import type { ControlPlaneState } from "../src/control-plane";

/**
 * Durable Object storage in memory, with the subset of the API ControlPlaneDO uses. Values
 * round-trip through JSON like the real storage; every put and the scheduled alarm are visible, so
 * tests count writes and the lab runs alarms on its own clock. Used by the unit harness, the
 * explorer's in-process target and the fleet simulation.
 */
export interface MemoryDoStorage {
  data: Map<string, unknown>;
  /** Keys in the order they were written (one per put). */
  puts: string[];
  /** The scheduled alarm time, or null. */
  alarm: number | null;
  api: ControlPlaneState["storage"];
}

export interface MemoryDoStorageHooks {
  onPut?(key: string, value: unknown): void;
  /** The object scheduled its alarm (a lab clock runs it then). */
  onAlarm?(at: number): void;
}

const copy = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

export function createMemoryDoStorage(hooks: MemoryDoStorageHooks = {}): MemoryDoStorage {
  const storage: MemoryDoStorage = {
    data: new Map(),
    puts: [],
    alarm: null,
    api: {
      get: async (key) => copy(storage.data.get(key)),
      put: async (key, value) => {
        storage.puts.push(key);
        storage.data.set(key, copy(value));
        hooks.onPut?.(key, value);
      },
      delete: async (key) => storage.data.delete(key),
      list: async ({ prefix }) => new Map([...storage.data].filter(([key]) => key.startsWith(prefix)).map(([key, value]) => [key, copy(value)])),
      setAlarm: async (at) => {
        storage.alarm = at;
        hooks.onAlarm?.(at);
      },
    },
  };
  return storage;
}
