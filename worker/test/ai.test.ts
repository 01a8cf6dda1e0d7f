import { env, SELF } from "cloudflare:test";
import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { geminiError, geminiReply } from "../../fault-lab/src/fakes/gemini-wire";
import type { WorkerEnv } from "../src/env";
import { realDeps } from "../src/deps";
import { handleRequest } from "../src/index";
import { createVirtualTimers } from "../unit/virtual-timers";

/** GEMINI_API_BASE is bound to this in vitest.config.ts; msw answers for it. */
const GEMINI_URL = "http://127.0.0.1:9/v1beta/models/gemini-2.5-flash:generateContent";
const KEY = "AIza-test-key-123456";

const geminiText = (text: string) => HttpResponse.json(geminiReply(text));

const seenUrls: string[] = [];
const seenKeys: (string | null)[] = [];
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  seenUrls.length = 0;
  seenKeys.length = 0;
});
afterAll(() => server.close());

// Hand-written handler: worker/tsconfig.json checks this file with workers types, under which the lab's msw adapter and ai-answers (node:crypto) do not compile.
function gemini(answer: (prompt: string) => Response | Promise<Response>) {
  server.use(
    http.post(GEMINI_URL, async ({ request }) => {
      seenUrls.push(request.url);
      seenKeys.push(request.headers.get("x-goog-api-key"));
      return answer(JSON.stringify(await request.json()));
    }),
  );
}

const post = (path: string, body: unknown, cookie?: string) =>
  SELF.fetch(`http://127.0.0.1${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });

async function connect(): Promise<string> {
  gemini(() => geminiText("OK"));
  const response = await post("/api/v1/auth/connect", { provider: "gemini", apiKey: KEY });
  expect(response.status).toBe(200);
  seenUrls.length = 0;
  seenKeys.length = 0;
  return response.headers.get("set-cookie")!.split(";")[0]!;
}

describe("AI actions on workerd", () => {
  it("answers 401 AUTH_REQUIRED before connecting", async () => {
    const response = await post("/api/v1/ai/analyze", { content: "x" });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: "AUTH_REQUIRED", message: "Connect an AI key in Settings to enable AI features." } });
  });

  it("connects, then analyzes through Gemini with the key only in x-goog-api-key", async () => {
    const cookie = await connect();
    gemini(() => geminiText('```json\n{"title":"Plan trip","tags":["travel"],"type":"IDEA"}\n```'));
    const response = await post("/api/v1/ai/analyze", { content: "maybe a trip to Lisbon" }, cookie);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: { title: "Plan trip", tags: ["travel"], type: "IDEA" } });
    expect(seenKeys).toEqual([KEY]);
    expect(seenUrls.every((url) => !url.includes(KEY) && !url.includes("?"))).toBe(true);
  });

  it("answers daily-brief null without a provider call", async () => {
    const cookie = await connect();
    const response = await post("/api/v1/ai/daily-brief", { notes: [{ content: "someday", dueDate: Date.now() + 7 * 86_400_000 }] }, cookie);
    expect(await response.json()).toEqual({ result: null });
    expect(seenUrls).toEqual([]);
  });

  it("passes a provider 429 on with its Retry-After", async () => {
    const cookie = await connect();
    gemini(() => HttpResponse.json(geminiError(429), { status: 429, headers: { "Retry-After": "30" } }));
    const response = await post("/api/v1/ai/search", { query: "anything" }, cookie);
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("30");
  });

  it("times a hung provider out on workerd: the attempt timer aborts the provider fetch", async () => {
    // The attempt timer is virtual (it fires once the provider hangs); the abort and fetch are workerd's.
    const timers = createVirtualTimers(Date.now());
    const deps = { ...realDeps, timeout: timers.timeout };
    const testEnv = { ...(env as unknown as WorkerEnv), PROVIDER_TIMEOUT_MS: "500", PROVIDER_RETRIES: "0" };
    const connectResponse = await (async () => {
      gemini(() => geminiText("OK"));
      return handleRequest(
        new Request("http://127.0.0.1/api/v1/auth/connect", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ provider: "gemini", apiKey: KEY }) }),
        testEnv,
      );
    })();
    const cookie = connectResponse.headers.get("set-cookie")!.split(";")[0]!;
    gemini(async () => {
      timers.elapseNextTimer();
      await delay("infinite");
      return geminiText("late");
    });
    const response = await handleRequest(
      new Request("http://127.0.0.1/api/v1/ai/search", { method: "POST", headers: { "content-type": "application/json", cookie }, body: JSON.stringify({ query: "q" }) }),
      testEnv,
      deps,
    );
    expect(response.status).toBe(504);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(await response.json()).toMatchObject({ error: { code: "TIMEOUT", cause: "provider_timeout" } });
  });
});
