import { env, SELF } from "cloudflare:test";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { installLabNetwork, type LabNetwork } from "../../fault-lab/src/adapters/msw";
import { geminiReply } from "../../fault-lab/src/fakes/gemini-wire";
import type { WorkerEnv } from "../src/env";
import { realDeps } from "../src/deps";
import { handleRequest } from "../src/index";
import { createVirtualTimers, HANG_PAST_TIMEOUT, type VirtualTimers } from "../unit/virtual-timers";

/** GEMINI_API_BASE is bound to this in vitest.config.ts; the lab's Gemini fake answers for it through msw. */
const GEMINI_BASE = "http://127.0.0.1:9";
const KEY = "AIza-test-key-123456";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** The Gemini fake on virtual timers (the Worker's attempt timer too, where a test passes them in deps). */
function labGemini(timers: VirtualTimers = createVirtualTimers(Date.now())): LabNetwork {
  return installLabNetwork(server, { clock: timers, origins: { gemini: GEMINI_BASE } });
}

const post = (path: string, body: unknown, cookie?: string) =>
  SELF.fetch(`http://127.0.0.1${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });

/** Connects KEY (the healthy fake accepts it); `seen` is emptied after, so it holds only what the test sends. */
async function connect(network: LabNetwork): Promise<string> {
  const response = await post("/api/v1/auth/connect", { provider: "gemini", apiKey: KEY });
  expect(response.status).toBe(200);
  network.seen.length = 0;
  return response.headers.get("set-cookie")!.split(";")[0]!;
}

describe("AI actions on workerd", () => {
  it("answers 401 AUTH_REQUIRED before connecting", async () => {
    const response = await post("/api/v1/ai/analyze", { content: "x" });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: "AUTH_REQUIRED", message: "Connect an AI key in Settings to enable AI features." } });
  });

  it("connects, then analyzes through Gemini with the key only in x-goog-api-key", async () => {
    const network = labGemini();
    const cookie = await connect(network);
    network.addRules({ route: "*", faults: [{ kind: "status", status: 200, body: geminiReply('```json\n{"title":"Plan trip","tags":["travel"],"type":"IDEA"}\n```') }] });
    const response = await post("/api/v1/ai/analyze", { content: "maybe a trip to Lisbon" }, cookie);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: { title: "Plan trip", tags: ["travel"], type: "IDEA" } });
    expect(network.seen.map((seen) => seen.headers.get("x-goog-api-key"))).toEqual([KEY]);
    expect(network.seen.every((seen) => !seen.url.includes(KEY) && !seen.url.includes("?"))).toBe(true);
  });

  it("answers daily-brief null without a provider call", async () => {
    const network = labGemini();
    const cookie = await connect(network);
    const response = await post("/api/v1/ai/daily-brief", { notes: [{ content: "someday", dueDate: Date.now() + 7 * 86_400_000 }] }, cookie);
    expect(await response.json()).toEqual({ result: null });
    expect(network.seen).toEqual([]);
  });

  it("passes a provider 429 on with its Retry-After", async () => {
    const network = labGemini();
    const cookie = await connect(network);
    network.addRules({ route: "*", faults: [{ kind: "status", status: 429, retryAfter: 30 }] });
    const response = await post("/api/v1/ai/search", { query: "anything" }, cookie);
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("30");
  });

  it("times a hung provider out on workerd: the attempt timer aborts the provider fetch", async () => {
    // The attempt timer is virtual (it fires once the provider hangs); the abort and fetch are workerd's.
    const timers = createVirtualTimers(Date.now());
    const network = labGemini(timers);
    const deps = { ...realDeps, timeout: timers.timeout };
    const testEnv = { ...(env as unknown as WorkerEnv), PROVIDER_TIMEOUT_MS: "500", PROVIDER_RETRIES: "0" };
    const connectResponse = await handleRequest(
      new Request("http://127.0.0.1/api/v1/auth/connect", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ provider: "gemini", apiKey: KEY }) }),
      testEnv,
    );
    const cookie = connectResponse.headers.get("set-cookie")!.split(";")[0]!;
    network.addRules({ route: "*", faults: [HANG_PAST_TIMEOUT] });
    const started = timers.now();
    const response = await handleRequest(
      new Request("http://127.0.0.1/api/v1/ai/search", { method: "POST", headers: { "content-type": "application/json", cookie }, body: JSON.stringify({ query: "q" }) }),
      testEnv,
      deps,
    );
    expect(response.status).toBe(504);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(await response.json()).toMatchObject({ error: { code: "TIMEOUT", cause: "provider_timeout" } });
    expect(timers.now() - started).toBe(500);
  });
});
