import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getConfig } from "../src/config";
import { createContext, type RequestContext } from "../src/context";
import { acquireProviderPermit, enforceRateLimit, providerCircuitViews, type ProviderPermit } from "../src/control-plane-client";
import type { DoNamespace, WorkerEnv } from "../src/env";
import { metrics } from "../src/metrics";
import { createControlPlaneNamespace, refusal } from "./control-plane-harness";
import { makeEnv } from "./fakes";
import { counter, createClock, errorOf, resetIsolate, testDeps, type ManualClock } from "./proxy-harness";
import { handleRequest } from "../src/index";

beforeEach(() => {
  resetIsolate();
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());

function contextFor(env: WorkerEnv, clock: ManualClock, ip = "198.51.100.7"): RequestContext {
  const request = new Request("https://pb.example.org/api/v1/ai/analyze", { method: "POST", headers: { "cf-connecting-ip": ip } });
  return createContext(request, env, getConfig(env), testDeps(clock), "req-control-plane-1");
}

describe("enforceRateLimit", () => {
  it("refuses the 46th request of an identity + IP with RATE_LIMITED and the exact Retry-After", async () => {
    const clock = createClock();
    const env = makeEnv();
    env.CONTROL_PLANE_DO = createControlPlaneNamespace(env);
    const session = { kind: "session", sessionId: "3b0c7a36-0000-4000-8000-000000000001" } as const;
    for (let index = 0; index < 45; index += 1) {
      await enforceRateLimit(contextFor(env, clock), session);
      clock.advance(100);
    }
    const error = await refusal(enforceRateLimit(contextFor(env, clock), session));
    expect(error).toMatchObject({ code: "RATE_LIMITED", status: 429, retryable: true, retryAfterSec: 55 });
    await enforceRateLimit(contextFor(env, clock, "198.51.100.8"), session);
    await enforceRateLimit(contextFor(env, clock), { kind: "anon" });
    expect(metrics.runtimeConfig.controlPlaneFallbacks).toBe(0);
  });

  it.each([
    ["the binding is missing", () => undefined],
    ["stub.fetch throws", (env: WorkerEnv) => Object.assign(createControlPlaneNamespace(env), { failing: true })],
    ["the object answers 500", () => ({ idFromName: () => ({}), get: () => ({ fetch: async () => new Response("boom", { status: 500 }) }) })],
  ] as [string, (env: WorkerEnv) => DoNamespace | undefined][])("falls back to an in-memory limiter with the same rules, counted, when %s", async (_case, namespaceFor) => {
    const clock = createClock();
    const env = makeEnv({ RATE_LIMIT_MAX: "2" });
    env.CONTROL_PLANE_DO = namespaceFor(env);
    await enforceRateLimit(contextFor(env, clock), { kind: "anon" });
    await enforceRateLimit(contextFor(env, clock), { kind: "anon" });
    const error = await refusal(enforceRateLimit(contextFor(env, clock), { kind: "anon" }));
    expect(error).toMatchObject({ code: "RATE_LIMITED", retryAfterSec: 59 });
    expect(metrics.runtimeConfig.rateLimitFallbacks).toBe(3);
    expect(metrics.runtimeConfig.controlPlaneFallbacks).toBe(3);
  });
});

describe("acquireProviderPermit", () => {
  it("opens the shared breaker after 5 failed attempts and refuses every isolate with provider_circuit_open", async () => {
    const clock = createClock();
    const env = makeEnv();
    env.CONTROL_PLANE_DO = createControlPlaneNamespace(env);
    for (let index = 0; index < 5; index += 1) {
      const permit = await acquireProviderPermit(contextFor(env, clock), "gemini");
      await permit.report("failure");
    }
    expect(counter("circuitOpens")).toBe(1);
    clock.advance(12_300);
    const error = await refusal(acquireProviderPermit(contextFor(env, clock), "gemini"));
    expect(error).toMatchObject({ code: "PROVIDER_UNAVAILABLE", status: 503, failureCause: "provider_circuit_open", retryable: true, retryAfterSec: 18 });
    expect(counter("providerCircuitRejects")).toBe(1);
    await (await acquireProviderPermit(contextFor(env, clock), "openrouter")).report("success");
  });

  it("grants the half-open probe to exactly one of two concurrent callers", async () => {
    const clock = createClock();
    const env = makeEnv({ PROVIDER_CIRCUIT_FAILURE_THRESHOLD: "1" });
    env.CONTROL_PLANE_DO = createControlPlaneNamespace(env);
    await (await acquireProviderPermit(contextFor(env, clock), "gemini")).report("failure");
    clock.advance(30_000);
    const outcomes = await Promise.allSettled([acquireProviderPermit(contextFor(env, clock), "gemini"), acquireProviderPermit(contextFor(env, clock), "gemini")]);
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    const probe = outcomes.find((outcome) => outcome.status === "fulfilled") as PromiseFulfilledResult<ProviderPermit>;
    await probe.value.report("success");
    expect((await providerCircuitViews(contextFor(env, clock)))?.gemini?.state).toBe("closed");
  });

  it("falls back to an in-memory breaker with the same rules when the object is unreachable, counted", async () => {
    const clock = createClock();
    const env = makeEnv({ PROVIDER_CIRCUIT_FAILURE_THRESHOLD: "2" });
    env.CONTROL_PLANE_DO = Object.assign(createControlPlaneNamespace(env), { failing: true });
    for (let index = 0; index < 2; index += 1) await (await acquireProviderPermit(contextFor(env, clock), "openrouter")).report("failure");
    const error = await refusal(acquireProviderPermit(contextFor(env, clock), "openrouter"));
    expect(error.failureCause).toBe("provider_circuit_open");
    expect(metrics.runtimeConfig.providerBreakerFallbacks).toBe(3);
    expect(metrics.runtimeConfig.controlPlaneFallbacks).toBe(3);
    expect(counter("circuitOpens")).toBe(1);
    expect((await providerCircuitViews(contextFor(env, clock)))?.openrouter?.state).toBe("open");
  });

  it("records a report locally when the object fails between acquire and report", async () => {
    const clock = createClock();
    const env = makeEnv({ PROVIDER_CIRCUIT_FAILURE_THRESHOLD: "1" });
    const namespace = createControlPlaneNamespace(env);
    env.CONTROL_PLANE_DO = namespace;
    const permit = await acquireProviderPermit(contextFor(env, clock), "gemini");
    namespace.failing = true;
    await permit.report("failure");
    expect(metrics.runtimeConfig.providerBreakerFallbacks).toBe(1);
    expect((await refusal(acquireProviderPermit(contextFor(env, clock), "gemini"))).failureCause).toBe("provider_circuit_open");
  });
});

describe("rate limit on POST /api/v1/auth/connect", () => {
  it.each([
    ["through the Durable Object", true],
    ["through the in-memory fallback", false],
  ])("answers the 46th connect from one client IP with 429 and Retry-After %s", async (_case, withObject) => {
    const clock = createClock();
    const deps = testDeps(clock);
    const env = makeEnv({}, clock.now);
    if (withObject) env.CONTROL_PLANE_DO = createControlPlaneNamespace(env);
    const connect = () =>
      handleRequest(
        new Request("https://pb.example.org/api/v1/auth/connect", { method: "POST", headers: { "content-type": "application/json", "cf-connecting-ip": "203.0.113.50" }, body: "{}" }),
        env,
        deps,
      );
    for (let index = 0; index < 45; index += 1) expect((await connect()).status).toBe(400);
    clock.advance(1_500);
    const limited = await connect();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("58");
    expect(await errorOf(limited)).toMatchObject({ code: "RATE_LIMITED", retryable: true });
    expect(counter("rateLimited")).toBe(1);
  });
});
