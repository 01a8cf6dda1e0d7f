import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../../fault-lab/src/stack/stack";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const INSTALL_LINE = "apt-get update && apt-get install -y --no-install-recommends prometheus";

const promtoolWorks = () => !spawnSync("promtool", ["--version"], { stdio: "ignore" }).error;

/** promtool comes from Debian's prometheus package; installed here the way the e2e setup installs Chromium. */
function ensurePromtool(): void {
  if (promtoolWorks()) return;
  spawnSync("bash", [join(REPO_ROOT, "scripts/lib/ensure-deps.sh"), "--promtool"], { stdio: "inherit", timeout: 240_000 });
  if (!promtoolWorks()) throw new Error(`Failed to find promtool, which lints the Prometheus exposition: install it with \`${INSTALL_LINE}\` (as root).`);
}

let stack: Stack;

beforeAll(async () => {
  ensurePromtool();
  stack = await startStack({ quiet: true, workerVars: { VPS_PROXY_RETRIES: "0" } });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

describe("Prometheus exposition of the Worker on workerd", () => {
  it("passes `promtool check metrics` with failures, causes and circuits populated", { timeout: 30_000 }, async () => {
    stack.control.addFaults({ route: "/api/v2/sync/pull", faults: [{ kind: "status", status: 503, times: 3 }] });
    for (let i = 0; i < 4; i += 1) await (await fetch(`${stack.workerUrl}/api/v2/sync/pull`)).arrayBuffer();

    const response = await fetch(`${stack.workerUrl}/api/v1/metrics?format=prometheus`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const exposition = await response.text();
    expect(exposition).toMatch(/^pocketbrain_failures_total\{scope="upstream",cause="upstream_5xx"\} 3$/m);
    expect(exposition).toMatch(/^pocketbrain_failures_total\{scope="upstream",cause="circuit_open"\} 1$/m);
    expect(exposition).toMatch(/^pocketbrain_circuit_state\{circuit="vps",state="open"\} 1$/m);
    expect(exposition).toMatch(/^pocketbrain_circuit_open_remaining_seconds\{circuit="vps"\} [1-9]/m);

    const lint = spawnSync("promtool", ["check", "metrics"], { input: exposition, encoding: "utf8", timeout: 20_000 });
    expect(`${lint.stdout}${lint.stderr}`).toBe("");
    expect(lint.status).toBe(0);
  });
});
