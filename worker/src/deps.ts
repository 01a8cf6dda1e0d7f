/** Time, chance and the network as parameters, so tests can pass a manual clock and a seeded RNG. */
export interface Deps {
  now(): number;
  rng(): number;
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * A cancellable timer for per-attempt timeouts on hot paths: resolves after `ms` unless cancelled
   * (then never). Required, so a test or the lab can never silently get a real timer: fakes pass
   * one on their own clock (worker/unit/virtual-timers.ts, the explorer's simulation).
   */
  timeout(ms: number): { elapsed: Promise<void>; cancel(): void };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** A plain setTimeout handle: no AbortController or event dispatch per request (measurable in workerd). */
export function timeout(ms: number): { elapsed: Promise<void>; cancel(): void } {
  let cancel = (): void => undefined;
  const elapsed = new Promise<void>((resolve) => {
    const id = setTimeout(resolve, ms);
    cancel = () => clearTimeout(id);
  });
  return { elapsed, cancel: () => cancel() };
}

/**
 * Production deps: the one place the real clock and timers are chosen. `fetch` is looked up at call
 * time so tests that spy on globalThis.fetch work.
 */
export const realDeps: Deps = {
  now: () => Date.now(),
  rng: () => Math.random(),
  fetch: (input, init) => globalThis.fetch(input, init),
  sleep,
  timeout,
};

const offsetDeps = new Map<number, Deps>();

/** realDeps with the clock shifted by `offsetMs` (dev/test only; see DEV_CLOCK_OFFSET_MS). */
export function depsWithClockOffset(offsetMs: number): Deps {
  if (offsetMs === 0) return realDeps;
  let deps = offsetDeps.get(offsetMs);
  if (!deps) {
    deps = { ...realDeps, now: () => Date.now() + offsetMs };
    offsetDeps.set(offsetMs, deps);
  }
  return deps;
}
