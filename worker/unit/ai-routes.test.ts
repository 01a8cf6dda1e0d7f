import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { FaultSpec } from "../../fault-lab/src/faults/types";
import type { WorkerEnv } from "../src/env";
import { handleRequest } from "../src/index";
import { resetMetrics } from "../src/metrics";
import type { Credential } from "../src/types";
import {
  createTestDeps,
  gemini,
  installAiLab,
  keyEchoingError,
  openrouter,
  QUIET_RESILIENCE,
  replyWith,
  type AiLab,
  type TestDeps,
} from "./ai-helpers";
import { makeEnv } from "./fakes";
import { HANG_PAST_TIMEOUT } from "./virtual-timers";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

let deps: TestDeps;
let lab: AiLab;
let env: WorkerEnv;
let logged: string[];
beforeEach(() => {
  resetMetrics();
  deps = createTestDeps();
  lab = installAiLab(server, deps);
  env = makeEnv(QUIET_RESILIENCE, deps.now);
  logged = [];
  for (const method of ["log", "warn", "error"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
  }
});
afterEach(() => vi.restoreAllMocks());

const BASE = "http://127.0.0.1";

/** What an AI route answers: a result on success, the error envelope otherwise. */
type Reply = { error: { code: string; message: string; retryable: boolean; cause?: string } } & Record<string, unknown>;
type MetricsReply = { metrics: Record<string, number>; failureCauses: { provider: Record<string, number> } };

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const init = { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) };
  return handleRequest(new Request(`${BASE}${path}`, init), env, deps);
}

/** Connects a key the way the PocketBrain client does (the healthy provider fake accepts it) and returns the session cookie. */
async function connect(credential: Credential): Promise<string> {
  const response = await post("/api/v1/auth/connect", { provider: credential.provider, apiKey: credential.apiKey });
  expect(response.status).toBe(200);
  const cookie = response.headers.get("set-cookie")?.split(";")[0];
  expect(cookie).toMatch(/^pb_ai_session=[0-9a-f-]{36}$/);
  return cookie!;
}

/** Calls an action with the provider answering `faults` in turn; `seen` is what the provider received for it. */
async function callAction(cookie: string, action: string, body: unknown, faults: FaultSpec[], credential: Credential = gemini) {
  lab.script(credential, ...faults);
  const before = lab.seenBy(credential).length;
  const response = await post(`/api/v1/ai/${action}`, body, { cookie });
  return { response, json: (await response.json()) as Reply, seen: lab.seenBy(credential).slice(before) };
}

describe("AI routes before any provider call", () => {
  it("answers 401 AUTH_REQUIRED without a session", async () => {
    const response = await post("/api/v1/ai/analyze", { content: "x" });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: "AUTH_REQUIRED", message: "Connect an AI key in Settings to enable AI features.", retryable: false } });
  });

  it("answers 415 for a non-JSON content type and 403 for a foreign Origin", async () => {
    expect((await post("/api/v1/ai/analyze", "content=x", { "content-type": "text/plain" })).status).toBe(415);
    expect((await post("/api/v1/ai/analyze", { content: "x" }, { origin: "https://evil.example.net" })).status).toBe(403);
  });

  it("answers 404 for an unknown action", async () => {
    expect((await post("/api/v1/ai/summarize", { content: "x" })).status).toBe(404);
  });
});

describe("connect, then AI actions", () => {
  it("analyzes with the connected key and answers the client's shape with standard headers", async () => {
    const cookie = await connect(gemini);
    const { response, json, seen } = await callAction(cookie, "analyze", { content: "buy milk tomorrow" }, [
      replyWith(gemini, '{"title":"Buy milk","tags":["shopping"],"type":"TASK","dueDate":"2026-11-03","priority":"normal"}'),
    ]);
    expect(response.status).toBe(200);
    expect(json).toEqual({ result: { title: "Buy milk", tags: ["shopping"], type: "TASK", dueDate: "2026-11-03", priority: "normal" } });
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-request-id")).toBeTruthy();
    expect(seen[0]!.headers.get("x-goog-api-key")).toBe(gemini.apiKey);
    expect(seen[0]!.url).not.toContain(gemini.apiKey);
  });

  it("answers daily-brief null without a provider call", async () => {
    const cookie = await connect(gemini);
    const { response, json, seen } = await callAction(cookie, "daily-brief", { notes: [] }, [replyWith(gemini, "never")]);
    expect(response.status).toBe(200);
    expect(json).toEqual({ result: null });
    expect(seen).toHaveLength(0);
  });

  it("refuses transcribe for an OpenRouter key with 400", async () => {
    const cookie = await connect(openrouter);
    const { response, json, seen } = await callAction(cookie, "transcribe", { audioBase64: "AAAA", mimeType: "audio/webm" }, [replyWith(openrouter, "x")], openrouter);
    expect(response.status).toBe(400);
    expect(json.error.code).toBe("BAD_REQUEST");
    expect(seen).toHaveLength(0);
  });

  it("answers a field-bound 400 naming the field, and 413 over 128 KiB", async () => {
    const cookie = await connect(gemini);
    const tooLong = await callAction(cookie, "analyze", { content: "x".repeat(6001) }, [replyWith(gemini, "never")]);
    expect(tooLong.response.status).toBe(400);
    expect(tooLong.json.error.message).toBe("content must be at most 6000 characters.");
    const huge = await callAction(cookie, "search", { query: "q", pad: "x".repeat(130 * 1024) }, [replyWith(gemini, "never")]);
    expect(huge.response.status).toBe(413);
  });

  it("retries a provider 503 and counts the retry in metrics", async () => {
    const cookie = await connect(gemini);
    const { response } = await callAction(cookie, "search", { query: "q" }, [{ kind: "status", status: 503, times: 1 }, replyWith(gemini, "found it")]);
    expect(response.status).toBe(200);
    const snapshot = (await (await handleRequest(new Request(`${BASE}/api/v1/metrics`), env, deps)).json()) as MetricsReply;
    expect(snapshot.metrics.retries).toBe(1);
    expect(snapshot.metrics.providerAttempts).toBe(3);
  });

  it("passes a provider 429 on with its Retry-After", async () => {
    const cookie = await connect(gemini);
    const { response, json } = await callAction(cookie, "search", { query: "q" }, [{ kind: "status", status: 429, retryAfter: 42 }]);
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("42");
    expect(json.error).toMatchObject({ code: "RATE_LIMITED", retryable: true });
  });

  it("maps a final provider 5xx to its status with cause provider_5xx and Retry-After", async () => {
    const cookie = await connect(gemini);
    const { response, json } = await callAction(cookie, "search", { query: "q" }, [{ kind: "status", status: 500 }]);
    expect(response.status).toBe(500);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(json.error).toMatchObject({ code: "PROVIDER_UNAVAILABLE", cause: "provider_5xx", retryable: true });
  });

  it("maps a hung provider to 504 provider_timeout and counts it", async () => {
    env = makeEnv({ ...QUIET_RESILIENCE, PROVIDER_TIMEOUT_MS: "500", PROVIDER_RETRIES: "0" }, deps.now);
    const cookie = await connect(gemini);
    const { response, json } = await callAction(cookie, "search", { query: "q" }, [HANG_PAST_TIMEOUT]);
    expect(response.status).toBe(504);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(json.error).toMatchObject({ code: "TIMEOUT", cause: "provider_timeout", retryable: true });
    const snapshot = (await (await handleRequest(new Request(`${BASE}/api/v1/metrics`), env, deps)).json()) as MetricsReply;
    expect(snapshot.failureCauses.provider.provider_timeout).toBe(1);
    expect(snapshot.metrics.timeouts).toBe(1);
  });

  it("maps a network failure to 503 provider_network_error", async () => {
    const cookie = await connect(gemini);
    const { response, json } = await callAction(cookie, "search", { query: "q" }, [{ kind: "reset" }]);
    expect(response.status).toBe(503);
    expect(json.error).toMatchObject({ code: "NETWORK", cause: "provider_network_error" });
  });

  it("maps a provider 401 on an action to AUTH_REQUIRED", async () => {
    const cookie = await connect(gemini);
    const { response, json } = await callAction(cookie, "analyze", { content: "x" }, [{ kind: "status", status: 401 }]);
    expect(response.status).toBe(401);
    expect(json.error.code).toBe("AUTH_REQUIRED");
  });

  it("answers 502 for unparseable model output", async () => {
    const cookie = await connect(gemini);
    const { response, json } = await callAction(cookie, "analyze", { content: "x" }, [replyWith(gemini, "Sorry, no JSON today")]);
    expect(response.status).toBe(502);
    expect(json.error).toMatchObject({ code: "PROVIDER_UNAVAILABLE", retryable: true });
    expect(json.error.cause).toBeUndefined();
  });

  it("never shows the key in a response or a log line, even when the provider echoes it", async () => {
    const cookie = await connect(gemini);
    const bodies: string[] = [];
    for (const status of [400, 401, 429, 500]) {
      const { response, json } = await callAction(cookie, "search", { query: "q" }, [{ kind: "status", status, body: keyEchoingError(gemini, status) }]);
      bodies.push(JSON.stringify([...response.headers]), JSON.stringify(json));
    }
    expect(bodies.join("\n")).not.toContain(gemini.apiKey);
    expect(logged.join("\n")).not.toContain(gemini.apiKey);
    expect(logged.length).toBeGreaterThan(0);
  });
});

describe("connect through the provider client", () => {
  it("refuses a key the provider rejects with 401 API key validation failed and stores nothing", async () => {
    // The provider fake answers a key containing "invalid" with 400 API_KEY_INVALID.
    const response = await post("/api/v1/auth/connect", { provider: "gemini", apiKey: "AIza-invalid-key-000000" });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: "AUTH_REQUIRED", message: "API key validation failed" } });
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(lab.network.control.events("gemini").map((event) => event.status)).toEqual([400]);
  });
});
