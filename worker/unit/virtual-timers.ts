import type { Clock } from "../../fault-lab/src/clock/clock";
import type { FaultSpec } from "../../fault-lab/src/faults/types";

/**
 * Timers on a test's manual clock, for `Deps.timeout` and the lab network's waits: nothing here
 * waits on a real timer. A timer fires when the clock is advanced past it, or when a fake upstream
 * "hangs" (`elapseNextTimer`: the time a hang lasts is exactly the wait until the Worker's next
 * timer, so a hung provider or backend reaches its protocol timeout instantly, and the clock shows
 * the virtual time that passed).
 */
export interface VirtualTimers extends Clock {
  now(): number;
  /** Moves the clock forward, firing every timer that falls due, earliest first. */
  advance(ms: number): void;
  timeout(ms: number): { elapsed: Promise<void>; cancel(): void };
  /** Jumps the clock to the earliest pending timer and fires it; false when none is pending. */
  elapseNextTimer(): boolean;
  pendingTimers(): number;
  /**
   * The lab's Clock wait (a fake's pause, an SSE pace). The fake that waits is the only thing in
   * flight, so time jumps to the earliest timer: the wait's own end, or the Worker's attempt timer
   * when that comes first (the Worker then aborts, which ends the wait).
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

interface Timer {
  at: number;
  seq: number;
  fire(): void;
}

export function createVirtualTimers(startMs: number): VirtualTimers {
  let clock = startMs;
  let seq = 0;
  const timers: Timer[] = [];
  const earliest = (): Timer | undefined => timers.reduce<Timer | undefined>((best, t) => (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq) ? t : best), undefined);
  const fire = (timer: Timer): void => {
    timers.splice(timers.indexOf(timer), 1);
    timer.fire();
  };
  const api: VirtualTimers = {
    now: () => clock,
    advance(ms) {
      const until = clock + ms;
      for (let next = earliest(); next && next.at <= until; next = earliest()) {
        clock = Math.max(clock, next.at);
        fire(next);
      }
      clock = until;
    },
    timeout(ms) {
      let resolve!: () => void;
      const elapsed = new Promise<void>((done) => {
        resolve = done;
      });
      const timer: Timer = { at: clock + Math.max(0, ms), seq: seq++, fire: () => resolve() };
      timers.push(timer);
      return {
        elapsed,
        cancel: () => {
          const index = timers.indexOf(timer);
          if (index >= 0) timers.splice(index, 1);
        },
      };
    },
    elapseNextTimer() {
      const next = earliest();
      if (!next) return false;
      clock = Math.max(clock, next.at);
      fire(next);
      return true;
    },
    pendingTimers: () => timers.length,
    sleep(ms, signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      const wait = api.timeout(ms);
      const ended = new Promise<void>((resolve, reject) => {
        void wait.elapsed.then(resolve);
        signal?.addEventListener(
          "abort",
          () => {
            wait.cancel();
            reject(signal.reason);
          },
          { once: true },
        );
      });
      api.elapseNextTimer();
      return ended;
    },
  };
  return api;
}

/**
 * An upstream that answers only after 10 minutes: on these timers (see `sleep`) the Worker's attempt
 * timer fires first, so the attempt times out at once and the clock moves by exactly the timeout.
 */
export const HANG_PAST_TIMEOUT: FaultSpec = { kind: "hang", ms: 600_000 };
