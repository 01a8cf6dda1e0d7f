import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import worker from "../src/index";
import { metrics, resetMetrics } from "../src/metrics";
import type { LabNetwork } from "../../fault-lab/src/adapters/msw";
import { connectRequest, countingKv, disconnectRequest, GEMINI_ROUTE, installProviderLab, sessionCookieFrom, statusRequest } from "./auth-helpers";
import { makeEnv, TEST_SECRET } from "./fakes";

const server = setupServer();
let network: LabNetwork;
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());
beforeEach(() => {
  resetMetrics();
  network = installProviderLab(server);
});

const GEMINI_KEY = "AIzaSyD-connect-test-key-0123456789";
const OPENROUTER_KEY = "sk-or-v1-connect-test-key-abcdef0123456789";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type Json = Record<string, unknown> & { error?: { code: string; message: string; cause?: string } };
const json = async (response: Response): Promise<Json> => (await response.json()) as Json;

describe("device session round trip", () => {
  it("connects, reports the session, and disconnects", async () => {
    const env = makeEnv();
    const connected = await worker.fetch(connectRequest({ provider: "gemini", apiKey: GEMINI_KEY }), env);
    expect(connected.status).toBe(200);
    const body = await json(connected);
    expect(body).toEqual({ connected: true, provider: "gemini", expiresAt: expect.any(Number), scope: "device" });
    expect((body.expiresAt as number) - Date.now()).toBeGreaterThan(86_390_000);

    const setCookie = connected.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/^pb_ai_session=[0-9a-f-]{36}; HttpOnly; Path=\/; Max-Age=86400; SameSite=Lax$/);
    const cookie = sessionCookieFrom(connected);
    const sessionId = cookie.split("=")[1]!;
    expect(sessionId).toMatch(UUID);
    const write = env.AI_SESSIONS.writes.at(-1)!;
    expect([write.key, write.expirationTtl]).toEqual([`session:${sessionId}`, 86400]);
    expect(Object.keys(JSON.parse(write.value) as object).sort()).toEqual(["createdAt", "encryptedApiKey", "expiresAt", "provider"]);

    const status = await worker.fetch(statusRequest({ cookie }), env);
    expect(await json(status)).toEqual({ connected: true, provider: "gemini", expiresAt: body.expiresAt, scope: "device" });

    const disconnected = await worker.fetch(disconnectRequest({ cookie }), env);
    expect(await json(disconnected)).toEqual({ connected: false, scope: "device" });
    expect(disconnected.headers.get("set-cookie")).toBe("pb_ai_session=; HttpOnly; Path=/; Max-Age=0; SameSite=Lax");
    expect(env.AI_SESSIONS.entries.has(`session:${sessionId}`)).toBe(false);

    expect(await json(await worker.fetch(statusRequest({ cookie }), env))).toEqual({ connected: false, scope: "device" });
  });

  it("sets a Secure cookie on a public https host", async () => {
    const response = await worker.fetch(connectRequest({ provider: "openrouter", apiKey: OPENROUTER_KEY }, { origin: "https://pocketbrain.app" }), makeEnv());
    expect(response.headers.get("set-cookie")).toMatch(/; HttpOnly; Secure; Path=\/; Max-Age=86400; SameSite=Lax$/);
  });

  it("issues a new session id on reconnect and drops the superseded session", async () => {
    const env = makeEnv();
    const first = sessionCookieFrom(await worker.fetch(connectRequest({ provider: "gemini", apiKey: GEMINI_KEY }), env));
    const second = sessionCookieFrom(await worker.fetch(connectRequest({ provider: "openrouter", apiKey: OPENROUTER_KEY }, { headers: { cookie: first } }), env));
    expect(second).not.toBe(first);
    expect(env.AI_SESSIONS.entries.has(`session:${first.split("=")[1]}`)).toBe(false);
    expect(await json(await worker.fetch(statusRequest({ cookie: second }), env))).toMatchObject({ connected: true, provider: "openrouter" });
  });

  it("reports no session and clears a cookie that points nowhere", async () => {
    const response = await worker.fetch(statusRequest({ cookie: "pb_ai_session=6b0f7d2a-4c1e-4f8b-9a3d-2e5c7f9b1d40" }), makeEnv());
    expect(await json(response)).toEqual({ connected: false, scope: "device" });
    expect(response.headers.get("set-cookie")).toContain("Max-Age=0");
  });

  it("never writes a plaintext key to KV", async () => {
    const env = makeEnv();
    for (const [provider, apiKey] of [["gemini", GEMINI_KEY], ["openrouter", OPENROUTER_KEY]] as const) {
      expect((await worker.fetch(connectRequest({ provider, apiKey }), env)).status).toBe(200);
    }
    expect(env.AI_SESSIONS.writes.length).toBe(2);
    for (const write of env.AI_SESSIONS.writes) {
      expect(write.value).not.toContain(GEMINI_KEY);
      expect(write.value).not.toContain(OPENROUTER_KEY);
      expect(write.value).not.toContain(TEST_SECRET);
      expect(JSON.parse((JSON.parse(write.value) as { encryptedApiKey: string }).encryptedApiKey)).toMatchObject({ v: 2 });
    }
  });
});

describe("connect input", () => {
  it.each([
    ["an unknown provider", { provider: "openai", apiKey: GEMINI_KEY }, "provider"],
    ["a missing provider", { apiKey: GEMINI_KEY }, "provider"],
    ["an empty key", { provider: "gemini", apiKey: "" }, "apiKey"],
    ["a blank key", { provider: "gemini", apiKey: "   " }, "apiKey"],
    ["a missing key", { provider: "gemini" }, "apiKey"],
    ["a numeric key", { provider: "gemini", apiKey: 12345 }, "apiKey"],
    ["a 513-character key", { provider: "gemini", apiKey: "k".repeat(513) }, "apiKey"],
    ["a key with inner whitespace", { provider: "gemini", apiKey: "AIza with space" }, "apiKey"],
  ])("rejects %s with 400 naming %s, without storing anything", async (_label, payload, field) => {
    const env = makeEnv();
    const response = await worker.fetch(connectRequest(payload), env);
    expect(response.status).toBe(400);
    const { error } = await json(response);
    expect(error?.code).toBe("BAD_REQUEST");
    // The original worker's messages where it had one ("Provider must…", "API key is required."), else ours.
    expect(error?.message).toMatch(field === "provider" ? /^Provider must be gemini or openrouter$/ : /^(API key is required\.$|apiKey )/);
    expect(env.AI_SESSIONS.writes).toEqual([]);
  });

  it("accepts a key of exactly 512 characters and trims surrounding whitespace", async () => {
    const env = makeEnv();
    expect((await worker.fetch(connectRequest({ provider: "openrouter", apiKey: ` ${"k".repeat(512)}\n` }), env)).status).toBe(200);
  });

  it("answers 415 for a non-JSON content type and 403 for a foreign Origin", async () => {
    const env = makeEnv();
    const textBody = new Request("http://127.0.0.1:8787/api/v1/auth/connect", { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" });
    expect((await worker.fetch(textBody, env)).status).toBe(415);
    const foreign = connectRequest({ provider: "gemini", apiKey: GEMINI_KEY }, { origin: "https://pocketbrain.app", headers: { origin: "https://evil.example.net" } });
    expect((await worker.fetch(foreign, env)).status).toBe(403);
    expect(env.AI_SESSIONS.writes).toEqual([]);
  });

  it("stores nothing when the provider refuses the key (401 API key validation failed)", async () => {
    network.addRules({ route: GEMINI_ROUTE, server: "gemini", faults: [{ kind: "status", status: 401 }] });
    const env = makeEnv();
    const response = await worker.fetch(connectRequest({ provider: "gemini", apiKey: GEMINI_KEY }), env);
    const { error } = await json(response);
    expect([response.status, error?.code, error?.message]).toEqual([401, "AUTH_REQUIRED", "API key validation failed"]);
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(env.AI_SESSIONS.writes).toEqual([]);
  });

  it("answers 400 for invalid JSON", async () => {
    const response = await worker.fetch(connectRequest("{not json"), makeEnv());
    expect([response.status, (await json(response)).error?.code]).toEqual([400, "BAD_REQUEST"]);
  });
});

describe("misconfiguration and outages", () => {
  it.each([
    ["a placeholder", "replace-with-a-long-random-secret-value"],
    ["too short", "tooShortSecret"],
    ["unset", undefined],
  ])("refuses to connect when KEY_ENCRYPTION_SECRET is %s: the original's 500 INTERNAL_ERROR, no KV call", async (_label, secret) => {
      const env = makeEnv({ KEY_ENCRYPTION_SECRET: secret });
      const kv = countingKv(env.AI_SESSIONS);
      env.AI_SESSIONS = kv;
      const response = await worker.fetch(connectRequest({ provider: "gemini", apiKey: GEMINI_KEY }), env);
      const { error } = await json(response);
      expect([response.status, error?.code, error?.message]).toEqual([500, "INTERNAL_ERROR", "AI proxy encryption secret is not configured"]);
      if (secret) expect(JSON.stringify(error)).not.toContain(secret);
      expect(kv.calls).toEqual([]);
      expect(metrics.runtimeConfig.invalidEncryptionSecret).toBe(1);
  });

  it.each([
    ["connect", () => connectRequest({ provider: "gemini", apiKey: GEMINI_KEY })],
    ["status", () => statusRequest({ cookie: "pb_ai_session=6b0f7d2a-4c1e-4f8b-9a3d-2e5c7f9b1d40" })],
    ["disconnect", () => disconnectRequest({ cookie: "pb_ai_session=6b0f7d2a-4c1e-4f8b-9a3d-2e5c7f9b1d40" })],
  ])("%s answers 503 kv_unavailable with Retry-After: 5 while KV fails", async (_route, request) => {
    const env = makeEnv();
    env.AI_SESSIONS.failing = true;
    const response = await worker.fetch(request(), env);
    const { error } = await json(response);
    expect([response.status, error?.code, error?.cause]).toEqual([503, "SERVICE_UNAVAILABLE", "kv_unavailable"]);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(metrics.kvFailures).toBe(1);
  });
});
