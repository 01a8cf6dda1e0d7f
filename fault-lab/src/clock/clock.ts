/**
 * The only way lab code waits: the Node fakes run on the real clock, the in-process explorer and
 * unit tests on the virtual one (virtual-clock.ts), so a fault window never costs real time in a test.
 */
export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason as soon as it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Never resolves; rejects with the reason when the signal aborts (a hang until the client leaves). */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}
