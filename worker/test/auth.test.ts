import { env, SELF } from "cloudflare:test";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { installLabNetwork, type LabNetwork } from "../../fault-lab/src/adapters/msw";
import { createVirtualTimers } from "../unit/virtual-timers";

/** vitest.config.ts points both providers at this base inside workerd. */
const PROVIDER_BASE = "http://127.0.0.1:9";
const GEMINI_KEY = "AIzaSyWorkerd-roundtrip-key-0123456789";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
/** The lab's Gemini fake (it accepts the validation ping of a sane key), fresh for each test. */
let network: LabNetwork;
beforeEach(() => {
  network = installLabNetwork(server, { clock: createVirtualTimers(Date.now()), origins: { gemini: PROVIDER_BASE } });
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  SELF.fetch(`http://127.0.0.1${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

describe("auth routes on workerd", () => {
  it("connect → cookie → status → disconnect, with only ciphertext in KV", async () => {
    const connect = await post("/api/v1/auth/connect", { provider: "gemini", apiKey: GEMINI_KEY });
    expect(connect.status).toBe(200);
    expect(await connect.json()).toMatchObject({ connected: true, provider: "gemini", scope: "device" });
    expect(network.seenBy("gemini").map((seen) => seen.headers.get("x-goog-api-key"))).toEqual([GEMINI_KEY]);
    const setCookie = connect.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^pb_ai_session=[0-9a-f-]{36}; HttpOnly; Path=\/; Max-Age=86400; SameSite=Lax$/);
    const cookie = setCookie.split(";")[0]!;

    const kv = (env as { AI_SESSIONS: KVNamespace }).AI_SESSIONS;
    const { keys } = await kv.list();
    expect(keys.map((key) => key.name)).toEqual([`session:${cookie.split("=")[1]}`]);
    for (const { name } of keys) {
      const value = (await kv.get(name))!;
      expect(value).not.toContain(GEMINI_KEY);
      expect(JSON.parse((JSON.parse(value) as { encryptedApiKey: string }).encryptedApiKey)).toMatchObject({ v: 2 });
    }

    const status = await SELF.fetch("http://127.0.0.1/api/v1/auth/status", { headers: { cookie } });
    expect(await status.json()).toMatchObject({ connected: true, provider: "gemini", scope: "device" });

    const disconnect = await post("/api/v1/auth/disconnect", {}, { cookie });
    expect(await disconnect.json()).toEqual({ connected: false, scope: "device" });
    expect(disconnect.headers.get("set-cookie")).toBe("pb_ai_session=; HttpOnly; Path=/; Max-Age=0; SameSite=Lax");
    expect((await kv.list()).keys).toEqual([]);

    const after = await SELF.fetch("http://127.0.0.1/api/v1/auth/status", { headers: { cookie } });
    expect(await after.json()).toEqual({ connected: false, scope: "device" });
  });

  it("rejects an unknown provider with 400 naming the field", async () => {
    const response = await post("/api/v1/auth/connect", { provider: "openai", apiKey: GEMINI_KEY });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe("Provider must be gemini or openrouter");
  });
});
