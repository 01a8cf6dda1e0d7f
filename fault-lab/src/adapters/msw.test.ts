import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Deps } from "../../../worker/src/deps";
import { handleRequest } from "../../../worker/src/index";
import { resetMetrics } from "../../../worker/src/metrics";
import { makeEnv } from "../../../worker/unit/fakes";
import { createSimulation, type Simulation } from "../clock/virtual-clock";
import { createLabControl, type LabControl } from "../control/lab-control";
import { installLabNetwork, labHandlers } from "./msw";

const START = Date.UTC(2026, 0, 1);
const GEMINI = "http://127.0.0.1:8711";
const BACKEND = "http://127.0.0.1:8710";
const GEMINI_ROUTE = "/v1beta/models/gemini-2.5-flash:generateContent";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function lab(): { sim: Simulation; control: LabControl } {
  const sim = createSimulation(START);
  const control = createLabControl(5, sim.now);
  server.use(...labHandlers({ control, clock: sim, origins: { gemini: GEMINI, backend: BACKEND } }));
  return { sim, control };
}

/** Runs `work` while driving the virtual clock until it settles. */
async function drive<T>(sim: Simulation, work: () => Promise<T>): Promise<T> {
  let result: { value: T } | { error: unknown } | undefined;
  work().then(
    (value) => (result = { value }),
    (error) => (result = { error }),
  );
  expect(await sim.runUntil(() => result !== undefined)).toBe("done");
  if ("error" in result!) throw result.error;
  return result!.value;
}

describe("msw adapter: the lab's fakes and faults behind msw", () => {
  it("answers with the lab fake, applies the fault table and records events", async () => {
    const { sim, control } = lab();
    control.addFaults({ route: "/api/v2/sync/pull", faults: [{ kind: "status", status: 503, retryAfter: 4, times: 1 }] });
    const first = await drive(sim, () => fetch(`${BACKEND}/api/v2/sync/pull`));
    expect(first.status).toBe(503);
    expect(first.headers.get("retry-after")).toBe("4");
    const second = await drive(sim, async () => (await fetch(`${BACKEND}/api/v2/sync/pull`)).json());
    expect(second).toMatchObject({ changes: [{ id: "note-1" }] });
    expect(control.events().map((event) => [event.faults, event.status])).toEqual([[["status"], 503], [[], 200]]);
  });

  it("a reset is a network error", async () => {
    const { sim, control } = lab();
    control.addFaults({ route: "*", faults: [{ kind: "reset" }] });
    await expect(drive(sim, () => fetch(`${BACKEND}/api/v2/sync/pull`))).rejects.toThrow(TypeError);
    expect(control.events()[0]).toMatchObject({ outcome: "reset", status: null });
  });

  it("a Worker provider call whose body trickles times out at PROVIDER_TIMEOUT_MS with 504 provider_timeout, in virtual time", async () => {
    resetMetrics();
    const { sim, control } = lab();
    const env = makeEnv({ GEMINI_API_BASE: GEMINI, PROVIDER_TIMEOUT_MS: "800", PROVIDER_RETRIES: "0", PROVIDER_CIRCUIT_FAILURE_THRESHOLD: "50", RATE_LIMIT_MAX: "10000" }, sim.now);
    const deps: Deps = { now: sim.now, rng: () => 0.5, fetch: (input, init) => globalThis.fetch(input, init), sleep: sim.sleep, timeout: sim.timeout };
    const post = (path: string, body: unknown, cookie?: string) =>
      handleRequest(new Request(`http://127.0.0.1${path}`, { method: "POST", headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) }, body: JSON.stringify(body) }), env, deps);
    const restoreCrypto = sim.gateCrypto();
    try {
      const connected = await drive(sim, () => post("/api/v1/auth/connect", { provider: "gemini", apiKey: "AIzaSyMswLabKey000000000000000000001" }));
      expect(connected.status).toBe(200);
      const cookie = connected.headers.get("set-cookie")!.split(";")[0]!;
      control.addFaults({ route: GEMINI_ROUTE, faults: [{ kind: "slow-body", bytesPerChunk: 8, intervalMs: 250 }] });
      const started = sim.now();
      const analyzed = await drive(sim, async () => {
        const response = await post("/api/v1/ai/analyze", { content: "Buy milk tomorrow and call the plumber." }, cookie);
        return { status: response.status, body: (await response.json()) as { error: { code: string; cause: string } } };
      });
      expect(analyzed.status).toBe(504);
      expect(analyzed.body.error).toMatchObject({ code: "TIMEOUT", cause: "provider_timeout" });
      expect(sim.now() - started).toBe(800);
      const attempt = control.events().at(-1)!;
      expect(attempt).toMatchObject({ faults: ["slow-body"], status: 200, outcome: "client-gone", durationMs: 800 });
    } finally {
      restoreCrypto();
    }
  });

  it("installLabNetwork: a status fault with its own body and headers, and every request recorded with its header values and body", async () => {
    const sim = createSimulation(START);
    const network = installLabNetwork(server, { clock: sim, origins: { backend: BACKEND } });
    network.control.addFaults({ route: "/api/v2/notes", faults: [{ kind: "status", status: 201, body: "plain words", headers: { "content-type": "text/plain" }, times: 1 }] });
    const first = await drive(sim, async () => {
      const response = await fetch(`${BACKEND}/api/v2/notes?x=1`, { method: "POST", headers: { "x-lab-test": "t-1" }, body: "hello" });
      return { status: response.status, type: response.headers.get("content-type"), text: await response.text() };
    });
    expect(first).toEqual({ status: 201, type: "text/plain", text: "plain words" });
    const second = await drive(sim, () => fetch(`${BACKEND}/api/v2/notes`, { method: "POST", body: "again" }));
    expect(second.status).not.toBe(201);
    expect(network.seenBy("backend").map((one) => [one.method, one.url, one.headers.get("x-lab-test"), new TextDecoder().decode(one.body)])).toEqual([
      ["POST", `${BACKEND}/api/v2/notes?x=1`, "t-1", "hello"],
      ["POST", `${BACKEND}/api/v2/notes`, null, "again"],
    ]);
  });

  it("installLabNetwork: a fault rule the lab refuses throws with the lab's message instead of doing nothing", () => {
    const network = installLabNetwork(server, { clock: createSimulation(START), origins: { backend: BACKEND } });
    expect(() => network.addRules({ route: "*", faults: [{ kind: "status", status: 503 }] }, { route: "*", faults: [{ kind: "teleport" }] })).toThrow(/the lab refused a fault rule: .*unknown fault kind "teleport"/);
    expect(network.control.listFaults()).toHaveLength(1);
  });

  it("a hang ends when the client aborts: the fetch rejects and the event says the client left", async () => {
    const sim = createSimulation(START);
    const network = installLabNetwork(server, { clock: sim, origins: { backend: BACKEND } });
    network.control.addFaults({ route: "*", faults: [{ kind: "hang" }] });
    const controller = new AbortController();
    const pending = fetch(`${BACKEND}/api/v2/sync/pull`, { signal: controller.signal });
    await sim.runUntil(() => network.seen.length === 1);
    controller.abort(new Error("client gave up"));
    await expect(pending).rejects.toThrow();
    await sim.runUntil(() => network.control.events()[0]?.outcome !== "pending");
    expect(network.control.events()[0]).toMatchObject({ faults: ["hang"], outcome: "client-gone" });
  });
});
