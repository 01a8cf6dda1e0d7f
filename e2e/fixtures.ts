import { test as base } from "@playwright/test";
import { randomSecret, startStack, type Stack } from "../fault-lab/src/stack/stack";

/** URLs of the stack Playwright's webServer started (playwright.config.ts puts them in PB_E2E_STACK). */
export interface SharedStack {
  workerUrl: string;
  backendUrl: string;
  geminiUrl: string;
  openrouterUrl: string;
}

/** Any key without "invalid" passes the fake providers' validation ping. Never a real key. */
export const FAKE_KEY = "e2e-fake-provider-key-0001";

export const SECRET_A = randomSecret();
export const SECRET_B = randomSecret();

/**
 * The private stack's baseline: no v2 retries and a 6 s open window, so three failed page calls
 * open the circuit and the recovery fits in a test; secret A for the rotation test.
 */
export const LAB_BASE_VARS: Readonly<Record<string, string>> = {
  KEY_ENCRYPTION_SECRET: SECRET_A,
  VPS_PROXY_RETRIES: "0",
  VPS_PROXY_CIRCUIT_OPEN_MS: "6000",
};
/** "" removes a variable (mergeVars in fault-lab/src/stack/stack.ts). */
const LAB_RESET_VARS: Readonly<Record<string, string>> = { ...LAB_BASE_VARS, KEY_ENCRYPTION_SECRET_PREV: "", DEV_CLOCK_OFFSET_MS: "" };

function readSharedStack(): SharedStack {
  const raw = process.env.PB_E2E_STACK;
  if (!raw) {
    throw new Error("Failed to find the local stack: PB_E2E_STACK is not set. Run the suite with `npm run test:e2e` so Playwright's webServer starts it.");
  }
  return JSON.parse(raw) as SharedStack;
}

interface LabHandle {
  stack: Stack;
  /** True once a test has used (and possibly changed) the stack: the next test restarts it. */
  used: boolean;
}

interface TestFixtures {
  shared: SharedStack;
  /** A private stack this test may restart (rotation, expiry, circuit), reset to LAB_BASE_VARS. */
  lab: Stack;
}

interface WorkerFixtures {
  labHandle: LabHandle;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  shared: async ({}, use) => {
    await use(readSharedStack());
  },
  baseURL: async ({}, use) => {
    await use(readSharedStack().workerUrl);
  },
  labHandle: [
    async ({}, use) => {
      const stack = await startStack({ workerVars: { ...LAB_BASE_VARS }, quiet: true });
      try {
        await use({ stack, used: false });
      } finally {
        await stack.stop();
      }
    },
    { scope: "worker", timeout: 60_000 },
  ],
  lab: async ({ labHandle }, use, testInfo) => {
    const { stack } = labHandle;
    // A fresh isolate per test: clean circuit, counters and clock; KV is irrelevant across tests.
    if (labHandle.used) await stack.restartWorker({ ...LAB_RESET_VARS });
    labHandle.used = true;
    stack.control.resetFaults();
    stack.control.clearEvents();
    const firstLog = stack.workerLogs().length;
    await use(stack);
    if (testInfo.status !== testInfo.expectedStatus) {
      const lines = stack.workerLogs().slice(firstLog).join("\n");
      await testInfo.attach("worker-log.txt", { body: lines || "(no worker log lines)", contentType: "text/plain" });
      await testInfo.attach("lab-events.json", { body: JSON.stringify(stack.control.events(), null, 2), contentType: "application/json" });
    }
  },
});

export { expect } from "@playwright/test";
