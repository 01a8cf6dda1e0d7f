import { env, SELF } from "cloudflare:test";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { installLabNetwork, type LabNetwork } from "../../fault-lab/src/adapters/msw";
import { realDeps, type Deps } from "../src/deps";
import { handleRequest } from "../src/index";
import { resetRetryBudget } from "../src/proxy";
import { resetVpsCircuit } from "../src/vps-circuit";
import { createClock, type ManualClock } from "../unit/proxy-harness";

const ORIGIN = "http://127.0.0.1:8620";
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  resetVpsCircuit();
  resetRetryBudget();
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/**
 * The lab's backend fake behind ORIGIN, and the Worker pointed at it (the shared bindings leave
 * VPS_API_ORIGIN unset): the attempt timer and the fake's pacing share one virtual clock.
 */
function workerWithLabBackend(): { network: LabNetwork; clock: ManualClock; call(path: string, vars?: Record<string, string>): Promise<Response> } {
  const clock = createClock(Date.now());
  const network = installLabNetwork(server, { clock, origins: { backend: ORIGIN } });
  const deps: Deps = { ...realDeps, timeout: clock.timeout };
  return {
    network,
    clock,
    call: (path, vars = {}) => handleRequest(new Request(`https://pb.example.org${path}`), { ...env, VPS_API_ORIGIN: ORIGIN, ...vars }, deps),
  };
}

describe("/api/v2 on workerd", () => {
  it("answers 503 origin_unconfigured through SELF when VPS_API_ORIGIN is unset", async () => {
    const response = await SELF.fetch("http://127.0.0.1/api/v2/sync/pull");
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { cause: string } }).error.cause).toBe("origin_unconfigured");
  });

  it("streams an SSE body longer than the attempt timeout without cutting it", async () => {
    const { clock, call } = workerWithLabBackend();
    const started = clock.now();
    // The fake paces 6 heartbeats 250 ms apart on the virtual clock: 1.25 s pass while the body streams, at once.
    const response = await call("/api/v2/events?events=6&intervalMs=250", { VPS_PROXY_TIMEOUT_MS: "1000" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBeTruthy();
    expect((await response.text()).match(/^id: \d+$/gm)).toHaveLength(6);
    expect(clock.now() - started).toBeGreaterThan(1000);
  });

  it("opens the circuit on the 3rd failed request and then answers without calling upstream", async () => {
    const { network, call } = workerWithLabBackend();
    network.addRules({ route: "/api/v2/sync/pull", faults: [{ kind: "status", status: 502 }] });
    const vars = { VPS_PROXY_RETRIES: "0" };
    for (let index = 0; index < 3; index += 1) expect((await call("/api/v2/sync/pull", vars)).status).toBe(503);
    const rejected = await call("/api/v2/sync/pull", vars);
    expect(((await rejected.json()) as { error: { cause: string } }).error.cause).toBe("circuit_open");
    expect(Number(rejected.headers.get("retry-after"))).toBeGreaterThanOrEqual(19);
    expect(network.seen).toHaveLength(3);
  });
});
