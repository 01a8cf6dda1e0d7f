import { afterEach, describe, expect, it, vi } from "vitest";
import { geminiError, geminiReply } from "../../fault-lab/src/fakes/gemini-wire";
import worker from "../src/index";
import { createControlPlaneNamespace } from "./control-plane-harness";

/**
 * The PocketBrain app's own journey against the Worker, written the way the PocketBrain repository
 * tests its worker: `default.fetch(request, env)` in plain Node, plain-object fakes for KV
 * (`get/put/delete` only) and the Durable Object namespace, `globalThis.fetch` spied on after
 * import. The requests are the app's (docs/api.md#routes): `X-Device-Id`, JSON bodies as its client
 * sends them, the cookie carried like `credentials: 'include'`.
 */

const ORIGIN = "https://pocketbrain.example";
const DEVICE = "5b0c7d1e-2f3a-4b5c-8d9e-0a1b2c3d4e5f";
const SECRET = "app-contract-secret-9d8c7b6a5f4e3d2c1b0a";
const APP_ERROR_CODES = ["AUTH_REQUIRED", "AUTH_EXPIRED", "RATE_LIMITED", "PROVIDER_UNAVAILABLE", "TIMEOUT", "NETWORK", "BAD_REQUEST"];

function plainKv() {
  const store = new Map<string, string>();
  return {
    store,
    get: async (key: string) => store.get(key) ?? null,
    put: async (key: string, value: string) => void store.set(key, value),
    delete: async (key: string) => void store.delete(key),
  };
}

/** The app's tests hand the Worker a namespace shaped like this one; here it runs the real ControlPlaneDO. */
function plainControlPlane() {
  const env = { KEY_ENCRYPTION_SECRET: SECRET };
  return createControlPlaneNamespace(env);
}

const geminiAnswer = (text: string) => new Response(JSON.stringify(geminiReply(text)), { headers: { "Content-Type": "application/json" } });

function appRequest(path: string, init: { method?: string; body?: unknown; cookie?: string } = {}): Request {
  const headers = new Headers({ "X-Device-Id": DEVICE, Origin: ORIGIN });
  if (init.body !== undefined) headers.set("Content-Type", "application/json");
  if (init.cookie) headers.set("Cookie", init.cookie);
  return new Request(`${ORIGIN}${path}`, { method: init.method ?? "GET", headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
}

const cookieFrom = (response: Response): string => (response.headers.get("set-cookie") ?? "").split(";")[0]!;

afterEach(() => vi.restoreAllMocks());

describe("the PocketBrain app against the Worker (plain Node, spied fetch)", () => {
  it("connects a Gemini key, analyzes a note, gets a daily brief, disconnects, and is then asked to connect", async () => {
    const kv = plainKv();
    const env = { AI_SESSIONS: kv, CONTROL_PLANE_DO: plainControlPlane(), KEY_ENCRYPTION_SECRET: SECRET };
    const fetchSpy = vi.spyOn(globalThis, "fetch");

    const controlPlane = env.CONTROL_PLANE_DO;
    const before = await worker.fetch(appRequest("/api/v1/auth/status"), env);
    expect(await before.json()).toEqual({ connected: false, scope: "device" });

    fetchSpy.mockResolvedValueOnce(geminiAnswer("OK"));
    const connect = await worker.fetch(appRequest("/api/v1/auth/connect", { method: "POST", body: { provider: "gemini", apiKey: "  AIzaSyAppContractKey123  " } }), env);
    expect(connect.status).toBe(200);
    const connected = (await connect.json()) as { connected: boolean; provider: string; expiresAt: number; scope: string };
    expect(connected).toMatchObject({ connected: true, provider: "gemini", scope: "device" });
    expect(typeof connected.expiresAt).toBe("number");
    expect(connect.headers.get("set-cookie")).toMatch(/^pb_ai_session=[^;]+; HttpOnly; Secure; Path=\/; Max-Age=86400; SameSite=Lax$/);
    const cookie = cookieFrom(connect);
    expect([...kv.store.values()].join("")).not.toContain("AIzaSyAppContractKey123");

    const status = await worker.fetch(appRequest("/api/v1/auth/status", { cookie }), env);
    expect(await status.json()).toEqual({ connected: true, provider: "gemini", expiresAt: connected.expiresAt, scope: "device" });

    fetchSpy.mockResolvedValueOnce(geminiAnswer('```json\n{"title":"Buy milk","tags":["errand","home","food","extra"],"type":"TASK","priority":"urgent"}\n```'));
    const analyze = await worker.fetch(appRequest("/api/v1/ai/analyze", { method: "POST", body: { content: "buy milk tomorrow" }, cookie }), env);
    expect(analyze.status).toBe(200);
    expect(await analyze.json()).toEqual({ result: { title: "Buy milk", tags: ["errand", "home", "food"], type: "TASK", priority: "urgent" } });
    const [providerUrl, providerInit] = fetchSpy.mock.calls.at(-1)!;
    expect(typeof providerUrl).toBe("string");
    expect(String(providerUrl)).not.toContain("AIzaSyAppContractKey123");
    expect(new Headers(providerInit?.headers).get("x-goog-api-key")).toBe("AIzaSyAppContractKey123");

    fetchSpy.mockResolvedValueOnce(geminiAnswer("Today: buy milk."));
    const notes = [{ id: "n1", content: "buy milk", createdAt: Date.now(), dueDate: Date.now(), type: "TASK" }];
    const brief = await worker.fetch(appRequest("/api/v1/ai/daily-brief", { method: "POST", body: { notes }, cookie }), env);
    expect(brief.status).toBe(200);
    expect(await brief.json()).toEqual({ result: "Today: buy milk." });
    expect(controlPlane.stored().length, "rate limits and the provider breaker live in the Durable Object").toBeGreaterThan(0);

    const callsBeforeEmptyBrief = fetchSpy.mock.calls.length;
    const yesterday = Date.now() - 2 * 86_400_000;
    const empty = await worker.fetch(appRequest("/api/v1/ai/daily-brief", { method: "POST", body: { notes: [{ content: "old", createdAt: yesterday, isArchived: true }] }, cookie }), env);
    expect(await empty.json()).toEqual({ result: null });
    expect(fetchSpy.mock.calls.length).toBe(callsBeforeEmptyBrief);

    const disconnect = await worker.fetch(appRequest("/api/v1/auth/disconnect", { method: "POST", body: {}, cookie }), env);
    expect(await disconnect.json()).toEqual({ connected: false, scope: "device" });
    expect(disconnect.headers.get("set-cookie")).toMatch(/^pb_ai_session=; .*Max-Age=0/);
    expect(kv.store.size).toBe(0);

    const after = await worker.fetch(appRequest("/api/v1/ai/analyze", { method: "POST", body: { content: "x" }, cookie }), env);
    expect(after.status).toBe(401);
    const error = ((await after.json()) as { error: { code: string; retryable: boolean; message: string } }).error;
    expect(APP_ERROR_CODES).toContain(error.code);
    expect(error).toMatchObject({ code: "AUTH_REQUIRED", retryable: false });
  });

  it("answers a key the provider refuses with a code the app maps and no retry", async () => {
    const env = { AI_SESSIONS: plainKv(), CONTROL_PLANE_DO: plainControlPlane(), KEY_ENCRYPTION_SECRET: SECRET };
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    fetchSpy.mockResolvedValueOnce(geminiAnswer("OK"));
    const cookie = cookieFrom(await worker.fetch(appRequest("/api/v1/auth/connect", { method: "POST", body: { provider: "gemini", apiKey: "AIzaSyAppContractKey123" } }), env));

    fetchSpy.mockImplementation(async () => new Response(JSON.stringify(geminiError(401)), { status: 401 }));
    const refused = await worker.fetch(appRequest("/api/v1/ai/analyze", { method: "POST", body: { content: "note" }, cookie }), env);
    expect(refused.status).toBe(401);
    const error = ((await refused.json()) as { error: { code: string; retryable: boolean; message: string } }).error;
    expect(APP_ERROR_CODES).toContain(error.code);
    expect(error).toMatchObject({ code: "AUTH_REQUIRED", retryable: false });
    expect(error.message).not.toContain("AIzaSyAppContractKey123");
    expect(fetchSpy.mock.calls.length).toBe(2);
  });
});
