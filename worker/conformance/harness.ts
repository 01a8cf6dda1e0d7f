import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import { createVirtualTimers, type VirtualTimers } from "../unit/virtual-timers";
import { captureConsole } from "./console-capture";

/**
 * The network edge, time and log capture both runners share: msw refusing unhandled requests,
 * handlers reset after each case, one set of virtual timers (the Worker's attempt timers and the
 * lab network's clock), and the Worker's console lines kept for the no-key-in-logs check.
 */
export function conformanceHarness(): { server: ReturnType<typeof setupServer>; timers: VirtualTimers; logLines: () => string[] } {
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
  return { server, timers, logLines: () => logs?.lines ?? [] };
}
