import fc from "fast-check";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { answerFor as healthyAnswerFor } from "../../fault-lab/src/fakes/ai-answers";
import { getConfig } from "../src/config";
import { createContext } from "../src/context";
import { enforceRateLimit, providerCircuitViews } from "../src/control-plane-client";
import type { WorkerEnv } from "../src/env";
import { rateLimitKey } from "../src/keys";
import { callProvider, validateProviderKey } from "../src/providers";
import { CLIENT_BUDGET_FLOOR_MS, hasEncodedSeparator } from "../src/proxy-wire";
import type { Credential } from "../src/types";
import { createTestDeps, installAiLab } from "./ai-helpers";
import { createControlPlaneNamespace } from "./control-plane-harness";
import { makeEnv } from "./fakes";
import { counter, createClock, createHarness, errorOf, testDeps, useProxyTestServer, VPS_ORIGIN, type Harness } from "./proxy-harness";
import { labBackend, type LabBackend } from "./proxy-upstream";
import { HANG_PAST_TIMEOUT } from "./virtual-timers";

/**
 * Issue 15: one client cannot hurt another. Each attack is sent as the review sent it, with the safe
 * answer, and honest traffic beside it is shown unaffected.
 */
const server = useProxyTestServer();
const REQUEST = { parts: [{ text: "Hi" }], temperature: 0 };
const honest: Credential = { provider: "gemini", apiKey: "AIza-honest-user-key-0001" };
const quotaSpent: Credential = { provider: "gemini", apiKey: "AIza-quota-exhausted-key-0002" };
const nulKey: Credential = { provider: "gemini", apiKey: "AIza-evil\u0000key" };
/** What the healthy Gemini fake answers REQUEST (a prompt of no particular intent). */
const HEALTHY_ANSWER = healthyAnswerFor("other");

/** Both homes of the shared provider breaker: the Durable Object, and the in-memory fallback. */
const BREAKER_HOMES: [string, () => Partial<WorkerEnv>][] = [
  ["Durable Object", () => ({ CONTROL_PLANE_DO: createControlPlaneNamespace(makeEnv()) })],
  ["in-memory fallback", () => ({})],
];

describe.each(BREAKER_HOMES)("finding 1: the shared provider breaker (%s) counts provider faults only", (_home, bindings) => {
  function setup() {
    const deps = createTestDeps();
    const env = makeEnv({ ...bindings(), PROVIDER_CIRCUIT_FAILURE_THRESHOLD: "5", RATE_LIMIT_MAX: "10000" }, deps.now);
    const ctx = () => createContext(new Request("http://127.0.0.1/api/v1/ai/analyze", { method: "POST" }), env, getConfig(env), deps, "req-attack-provider-01");
    // The Gemini fake refuses a key whose quota is spent ("quota" in it) with 429 and answers every other key.
    return { ctx, lab: installAiLab(server, deps) };
  }

  it("a stored key with a NUL byte is refused before any provider call, never retried, never counted", async () => {
    const { ctx, lab } = setup();
    for (let index = 0; index < 3; index += 1) {
      await expect(callProvider(ctx(), nulKey, REQUEST)).rejects.toMatchObject({ code: "AUTH_REQUIRED", status: 401, retryable: false });
    }
    expect(lab.network.seen).toHaveLength(0);
    expect(counter("retries")).toBe(0);
    expect((await providerCircuitViews(ctx()))?.gemini?.state).toBe("closed");
    await expect(callProvider(ctx(), honest, REQUEST)).resolves.toBe(HEALTHY_ANSWER);
  });

  it("connect with such a key answers 'API key validation failed' without a provider call or a permit", async () => {
    const { ctx, lab } = setup();
    await expect(validateProviderKey(ctx(), nulKey)).rejects.toMatchObject({ code: "AUTH_REQUIRED", message: "API key validation failed" });
    expect(lab.network.seen).toHaveLength(0);
    expect(counter("providerAttempts")).toBe(0);
  });

  it("one user's key getting 429 five times does not open the breaker for another user", async () => {
    const { ctx } = setup();
    for (let index = 0; index < 5; index += 1) {
      await expect(callProvider(ctx(), quotaSpent, REQUEST)).rejects.toMatchObject({ code: "RATE_LIMITED", status: 429 });
    }
    expect(counter("retries")).toBe(10);
    expect((await providerCircuitViews(ctx()))?.gemini?.state).toBe("closed");
    await expect(callProvider(ctx(), honest, REQUEST)).resolves.toBe(HEALTHY_ANSWER);
  });

  it("still opens on provider faults: two requests of 5xx (6 attempts) open it for everyone", async () => {
    const { ctx, lab } = setup();
    lab.script(honest, { kind: "status", status: 503 });
    for (let index = 0; index < 2; index += 1) await callProvider(ctx(), honest, REQUEST).catch(() => undefined);
    expect((await providerCircuitViews(ctx()))?.gemini?.state).toBe("open");
    await expect(callProvider(ctx(), quotaSpent, REQUEST)).rejects.toMatchObject({ failureCause: "provider_circuit_open" });
  });
});

/** The lab's backend fake behind VPS_ORIGIN, on the harness's virtual clock. */
const backendOf = (harness: Harness): LabBackend => labBackend(server, harness.clock);

/** Records every attempt timer the Worker arms, still on the harness's virtual clock. */
function recordTimers(harness: Harness): number[] {
  const timers: number[] = [];
  harness.deps.timeout = (ms) => {
    timers.push(ms);
    return harness.clock.timeout(ms);
  };
  return timers;
}

describe("finding 2: X-Timeout-Ms: 1 cannot open the /api/v2 circuit", () => {
  /** A backend that needs 5 s (virtual): every attempt timer shorter than that elapses first. */
  function slowishBackend() {
    const harness = createHarness({ VPS_PROXY_RETRIES: "1" });
    const timers = recordTimers(harness);
    const backend = backendOf(harness);
    backend.addRules({ route: "*", faults: [{ kind: "hang", ms: 5000 }] });
    return { harness, timers, backend };
  }

  it("three X-Timeout-Ms: 1 requests fail alone; the honest request after them still goes upstream", async () => {
    const { harness, timers, backend } = slowishBackend();
    for (let index = 0; index < 3; index += 1) {
      const attack = await harness.call("/api/v2/sync/pull", { headers: { "x-timeout-ms": "1" } });
      expect(attack.status).toBe(503);
      expect(await errorOf(attack)).toMatchObject({ code: "SERVICE_UNAVAILABLE", cause: "timeout", retryable: true });
    }
    expect(timers[0]).toBe(CLIENT_BUDGET_FLOOR_MS);
    expect(counter("vpsProxyClientBudgetExhausted")).toBe(3);
    expect(counter("vpsProxyCircuitOpens")).toBe(0);
    const seenBefore = backend.seen.length;
    const honestReply = await harness.call("/api/v2/sync/pull");
    expect(honestReply.status).toBe(200);
    expect(backend.seen.length).toBe(seenBefore + 1);
  });

  it("a budget below the floor is raised to 1000 ms, so a healthy backend answers it", async () => {
    const harness = createHarness();
    const timers = recordTimers(harness);
    backendOf(harness);
    expect((await harness.call("/api/v2/sync/pull", { headers: { "x-timeout-ms": "1" } })).status).toBe(200);
    expect(timers).toEqual([CLIENT_BUDGET_FLOOR_MS]);
  });

  it("a backend timing out at our own full timeout is still reported and opens the circuit", async () => {
    const harness = createHarness({ VPS_PROXY_RETRIES: "0" });
    backendOf(harness).addRules({ route: "*", faults: [HANG_PAST_TIMEOUT] });
    for (let index = 0; index < 3; index += 1) await harness.call("/api/v2/sync/pull");
    expect(counter("vpsProxyTimeouts")).toBe(3);
    expect(counter("vpsProxyCircuitOpens")).toBe(1);
  });
});

describe("finding 3 (Durable Object part): rate-limit buckets expire by alarm", () => {
  const T0 = 1_800_000_000_000;

  function limiter(max = "45") {
    const clock = createClock(T0);
    const env = makeEnv({ RATE_LIMIT_MAX: max });
    const namespace = createControlPlaneNamespace(env, clock.now);
    env.CONTROL_PLANE_DO = namespace;
    const take = (ip: string) =>
      enforceRateLimit(createContext(new Request("http://127.0.0.1/api/v1/auth/connect", { headers: { "cf-connecting-ip": ip } }), env, getConfig(env), testDeps(clock), "req-attack-rl-0001"), { kind: "anon" });
    return { clock, namespace, take };
  }

  it("a bucket per fresh identity leaves no storage behind once its window is over", async () => {
    const { clock, namespace, take } = limiter();
    const ips = ["198.51.100.21", "198.51.100.22", "198.51.100.23"];
    for (const ip of ips) await take(ip);
    expect(namespace.stored()).toHaveLength(3);
    for (const name of namespace.stored()) expect(namespace.storage(name).alarm).toBe(T0 + 60_000);
    clock.advance(60_001);
    for (const name of namespace.stored()) expect(await namespace.runAlarm(name)).toBe(true);
    expect(namespace.stored()).toEqual([]);
  });

  it("a bucket still in its window keeps its count through the alarm (the limit still holds)", async () => {
    const { clock, namespace, take } = limiter("2");
    const ip = "198.51.100.31";
    clock.advance(50_000);
    await take(ip);
    await take(ip);
    const [name] = namespace.stored();
    clock.advance(10_001);
    expect(await namespace.runAlarm(name!)).toBe(true);
    expect(namespace.stored()).toEqual([name]);
    expect(namespace.storage(name!).alarm).toBe(T0 + 50_000 + 60_000);
    await expect(take(ip)).rejects.toMatchObject({ code: "RATE_LIMITED" });
  });

  it("names buckets with the rl: prefix the alarm sweeps", () => {
    expect(rateLimitKey("anon", "198.51.100.1").startsWith("rl:")).toBe(true);
  });
});

describe("finding 5: encoded separators in /api/v2 paths are refused before anything moves", () => {
  it.each([
    "/api/v2/..%2f..%2fadmin",
    "/api/v2/..%2F..%2Fadmin",
    "/api/v2/sync%5cpull",
    "/api/v2/sync%5Cpull",
    "/api/v2/sync/..%2e/x",
    "/api/v2/x%2Ey",
    "/api/v2/events/..%2fadmin",
  ])("%s → 400 BAD_REQUEST naming the path, no upstream call", async (path) => {
    const harness = createHarness();
    const backend = backendOf(harness);
    const response = await harness.call(path, { headers: { cookie: "pb_stream_ticket=t; pb_ai_session=00000000-0000-4000-8000-000000000000" } });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ code: "BAD_REQUEST", retryable: false, message: expect.stringContaining("path") });
    expect(backend.seen).toHaveLength(0);
  });

  it("passes other escapes (%20, %41) through", async () => {
    const harness = createHarness();
    const backend = backendOf(harness);
    // The fake has no such note route: this rule answers 200 only when the path arrives as sent.
    backend.addRules({ route: "/api/v2/notes/a%20b%41", faults: [{ kind: "status", status: 200, body: { ok: true } }] });
    expect((await harness.call("/api/v2/notes/a%20b%41")).status).toBe(200);
    expect(new URL(backend.seen[0]!.url).pathname).toBe("/api/v2/notes/a%20b%41");
  });

  it("does not take the half-open probe: the honest request after it is the probe and closes the circuit", async () => {
    const harness = createHarness({ VPS_PROXY_RETRIES: "0" });
    const backend = backendOf(harness);
    backend.addRules({ route: "*", faults: [{ kind: "status", status: 503, times: 3 }] });
    for (let index = 0; index < 3; index += 1) await harness.call("/api/v2/sync/pull");
    const rejected = await harness.call("/api/v2/..%2fadmin");
    expect(rejected.status).toBe(400);
    harness.clock.advance(20_000);
    expect((await harness.call("/api/v2/..%2fadmin")).status).toBe(400);
    expect((await harness.call("/api/v2/sync/pull")).status).toBe(200);
    expect(counter("vpsProxyCircuitRejects")).toBe(0);
    expect(backend.seen).toHaveLength(4);
  });

  it("agrees with a case-insensitive /%(2f|2e|5c)/ on any path", () => {
    const oracle = /%(2f|2e|5c)/i;
    fc.assert(
      fc.property(fc.array(fc.constantFrom("/", "%", "2", "5", "e", "E", "f", "F", "c", "C", "a", "."), { maxLength: 24 }), (chars) => {
        const path = `/api/v2/${chars.join("")}`;
        return hasEncodedSeparator(path) === oracle.test(path);
      }),
    );
  });
});

describe("finding 8b: a backend Set-Cookie passes only for the backend's own cookie names", () => {
  const KEPT = "pb_stream_ticket=ticket-1; HttpOnly; Path=/api/v2/events; SameSite=Lax; Max-Age=60";

  it("keeps pb_stream_ticket and drops pb_ai_session and others (backend with an x-request-id)", async () => {
    const harness = createHarness();
    const backend = backendOf(harness);
    // The fake's hostile route sets pb_ai_session, its ticket and a tracking cookie, echoing the x-request-id.
    const response = await harness.call("/api/v2/lab/hostile-cookies", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([KEPT]);
    expect(response.headers.get("x-request-id")).toBe(backend.seen[0]!.headers.get("x-request-id"));
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await response.text()).toBe('{"ok":true}');
  });

  it("keeps pb_stream_ticket and drops pb_ai_session and others (backend without an x-request-id)", async () => {
    // Hand-written: this branch needs three Set-Cookie headers and no x-request-id echo; a status fault sends one value per header, and the fake's hostile-cookies route echoes the id.
    const cookies: [string, string][] = [
      ["set-cookie", KEPT],
      ["set-cookie", "pb_ai_session=attacker-session; Path=/; HttpOnly"],
      ["set-cookie", "tracking=1; Path=/"],
    ];
    server.use(http.post(`${VPS_ORIGIN}/api/v2/events/ticket`, () => new HttpResponse('{"ticket":"t-1"}', { status: 200, headers: [...cookies, ["content-type", "application/json"]] })));
    const response = await createHarness().call("/api/v2/events/ticket", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([KEPT]);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.text()).toBe('{"ticket":"t-1"}');
  });

  it("leaves a response without Set-Cookie untouched", async () => {
    const harness = createHarness();
    backendOf(harness).addRules({
      route: "/api/v2/sync/pull",
      faults: [{ kind: "status", status: 200, body: { ok: true }, headers: { "x-request-id": "backend-echoed-id-02" } }],
    });
    const response = await harness.call("/api/v2/sync/pull");
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get("x-request-id")).toBe("backend-echoed-id-02");
  });
});
