import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import { captureConsole } from "./console-capture";

/**
 * The network edge and log capture both runners share: msw refusing unhandled requests, handlers
 * reset after each case, and the Worker's console lines kept for the no-key-in-logs check.
 */
export function conformanceHarness(): { server: ReturnType<typeof setupServer>; logLines: () => string[] } {
  const server = setupServer();
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
  return { server, logLines: () => logs?.lines ?? [] };
}
