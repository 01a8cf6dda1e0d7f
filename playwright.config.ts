import { existsSync } from "node:fs";
import { defineConfig } from "@playwright/test";

/**
 * Playwright drives Debian's Chromium (never `npx playwright install`, see docs/e2e.md). The main
 * stack is started by `webServer` on a free port: the stack CLI binds port 0 and prints
 * `STACK_READY {json}`; the named group below makes Playwright store that JSON in
 * process.env.PB_E2E_STACK, which the test workers inherit (e2e/fixtures.ts reads it).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

if (!existsSync(CHROMIUM)) {
  throw new Error(
    `Failed to find Chromium at ${CHROMIUM}: the e2e tests need the Debian package. ` +
      "Install it with `apt-get update && apt-get install -y chromium` (as root), " +
      "or set CHROMIUM_PATH to another Chromium binary.",
  );
}

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
  expect: { timeout: 7_000 },
  reporter: process.env.CI ? [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]] : "list",
  use: {
    browserName: "chromium",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--headless=new",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  webServer: {
    command: "npm run --silent stack -- --port 0 --quiet",
    wait: { stdout: /STACK_READY (?<pb_e2e_stack>\{.*\})\r?\n/ },
    stdout: "ignore",
    stderr: "pipe",
    timeout: 60_000,
    gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
  },
});
