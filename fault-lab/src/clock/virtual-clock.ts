import type { Clock } from "./clock";

/**
 * Virtual time for the in-process explorer: `sleep` registers a timer on a manual clock and the
 * driver fires the earliest timer only when nothing else can run, so a 20 s circuit window passes
 * instantly and a schedule replays with the same interleaving every time.
 *
 * WebCrypto runs on libuv's thread pool, the one truly asynchronous thing the Worker does here; its
 * completion order would make concurrent requests interleave differently from run to run. The
 * simulation therefore gates every `crypto.subtle` call: each is released in call order, one at a
 * time, at an idle point of the driver.
 */
export interface Simulation extends Clock {
  /** `Deps.timeout` on the virtual clock: `elapsed` resolves once time reaches now + ms; `cancel` drops the timer. */
  timeout(ms: number): { elapsed: Promise<void>; cancel(): void };
  /** Runs microtasks, crypto completions and timers until `isDone()` or nothing can progress. */
  runUntil(isDone: () => boolean): Promise<"done" | "stuck">;
  /** Routes `crypto.subtle` through the gate until the returned function restores it. */
  gateCrypto(): () => void;
}

interface Timer {
  at: number;
  seq: number;
  fire(): void;
}

interface GatedOp {
  real: Promise<unknown>;
  resolve(value: unknown): void;
  reject(reason: unknown): void;
}

const SUBTLE_METHODS = ["encrypt", "decrypt", "sign", "verify", "digest", "generateKey", "deriveKey", "deriveBits", "importKey", "exportKey", "wrapKey", "unwrapKey"] as const;

/** Idle turns (1 ms of real time each) to wait for stray real async work before calling it stuck. */
const IDLE_TURNS_BEFORE_STUCK = 100;

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const realPause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

export function createSimulation(startMs: number): Simulation {
  let clock = startMs;
  let seq = 0;
  const timers: Timer[] = [];
  const gated: GatedOp[] = [];

  const schedule = (timer: Timer): void => {
    let index = timers.length;
    while (index > 0 && (timers[index - 1]!.at > timer.at || (timers[index - 1]!.at === timer.at && timers[index - 1]!.seq > timer.seq))) index -= 1;
    timers.splice(index, 0, timer);
  };

  const unschedule = (timer: Timer): void => {
    const index = timers.indexOf(timer);
    if (index >= 0) timers.splice(index, 1);
  };
  const dueAt = (ms: number): number => clock + Math.max(0, Number.isFinite(ms) ? ms : 0);

  return {
    now: () => clock,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const onAbort = () => {
          unschedule(timer);
          reject(signal?.reason);
        };
        const timer: Timer = {
          at: dueAt(ms),
          seq: seq++,
          fire: () => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
          },
        };
        schedule(timer);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
    timeout(ms) {
      let fire = (): void => undefined;
      const elapsed = new Promise<void>((resolve) => (fire = resolve));
      const timer: Timer = { at: dueAt(ms), seq: seq++, fire: () => fire() };
      schedule(timer);
      return { elapsed, cancel: () => unschedule(timer) };
    },
    async runUntil(isDone) {
      let idleTurns = 0;
      for (;;) {
        await turn();
        await turn();
        const op = gated.shift();
        if (op) {
          idleTurns = 0;
          try {
            op.resolve(await op.real);
          } catch (error) {
            op.reject(error);
          }
          continue;
        }
        if (isDone()) return "done";
        const timer = timers.shift();
        if (timer) {
          idleTurns = 0;
          clock = Math.max(clock, timer.at);
          timer.fire();
          continue;
        }
        idleTurns += 1;
        if (idleTurns > IDLE_TURNS_BEFORE_STUCK) return "stuck";
        await realPause();
      }
    },
    gateCrypto() {
      const subtle = globalThis.crypto.subtle as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      for (const name of SUBTLE_METHODS) {
        const original = subtle[name]!.bind(subtle);
        Object.defineProperty(subtle, name, {
          configurable: true,
          writable: true,
          value: (...args: unknown[]) =>
            new Promise((resolve, reject) => {
              const real = original(...args);
              real.catch(() => undefined);
              gated.push({ real, resolve, reject });
            }),
        });
      }
      return () => {
        for (const name of SUBTLE_METHODS) delete subtle[name];
      };
    },
  };
}
