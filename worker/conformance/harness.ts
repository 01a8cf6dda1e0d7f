import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import type { Clock } from "../../fault-lab/src/clock/clock";
import { createVirtualTimers, type VirtualTimers } from "../unit/virtual-timers";
import { captureConsole } from "./console-capture";

/** The lab `Clock` on the runner's virtual timers: a fault's wait is one more timer, fired by advancing them. */
function labClock(timers: VirtualTimers): Clock {
  return {
    now: timers.now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const timer = timers.timeout(ms);
        signal?.addEventListener("abort", () => {
          timer.cancel();
          reject(signal.reason);
        }, { once: true });
        void timer.elapsed.then(resolve);
      }),
  };
}

/**
 * The network edge, time and log capture both runners share: msw refusing unhandled requests,
 * handlers reset after each case, one set of virtual timers (the Worker's attempt timers and the
 * lab network's clock), and the Worker's console lines kept for the no-key-in-logs check.
 */
export function conformanceHarness(): { server: ReturnType<typeof setupServer>; timers: VirtualTimers; clock: Clock; logLines: () => string[] } {
  const server = setupServer();
  const timers = createVirtualTimers(Date.now());
  let logs: ReturnType<typeof captureConsole> | undefined;
  beforeAll(() => {
    server.listen({ onUnhandledRequest: "error" });
    logs = captureConsole();
  });
  afterEach(() => server.resetHandlers());
  afterAll(() => {
    logs?.restore();
    server.close();
  });
  return { server, timers, clock: labClock(timers), logLines: () => logs?.lines ?? [] };
}
