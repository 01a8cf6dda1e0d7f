import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { geminiReply } from "../../fault-lab/src/fakes/gemini-wire";
import { getConfig } from "../src/config";
import { createContext, type RequestContext } from "../src/context";
import { acquireProviderPermit, type ProviderPermit } from "../src/control-plane-client";
import type { StateReply } from "../src/control-plane-core";
import type { DoNamespace, WorkerEnv } from "../src/env";
import type { ApiError } from "../src/errors";
import { createIsolateState, type IsolateState } from "../src/isolate-state";
import { CONTROL_PLANE_NAME } from "../src/keys";
import { runProviderRequest } from "../src/providers/call";
import { createControlPlaneNamespace, post, refusal } from "./control-plane-harness";
import { makeEnv } from "./fakes";
import { createClock, testDeps, type ManualClock } from "./proxy-harness";

/**
 * docs/decisions/0006-fleet-breaker-protocol.md: several IsolateStates (one per simulated isolate)
 * share one real ControlPlaneDO on a manual clock; every call to an object is counted by name.
 */

beforeEach(() => void vi.spyOn(console, "warn").mockImplementation(() => undefined));
afterEach(() => vi.restoreAllMocks());

interface Fleet {
  env: WorkerEnv;
  clock: ManualClock;
  inner: ReturnType<typeof createControlPlaneNamespace>;
  /** `object name + path` of every stub.fetch, in order. */
  calls: string[];
  globalCalls(): number;
  isolate(): IsolateState;
  ctx(isolate: IsolateState): RequestContext;
  /** Waits for every waitUntil promise handed out so far (reports, refreshes). */
  settle(): Promise<void>;
}

function fleet(overrides: Partial<WorkerEnv> = {}): Fleet {
  const clock = createClock();
  const env = makeEnv({ PROVIDER_CIRCUIT_FAILURE_THRESHOLD: "5", ...overrides });
  const inner = createControlPlaneNamespace(env, clock.now);
  const calls: string[] = [];
  const pending: Promise<unknown>[] = [];
  const counting: DoNamespace = {
    idFromName: (name) => inner.idFromName(name),
    get: (id) => ({
      fetch: (input, init) => {
        calls.push(`${(id as { name: string }).name}${new URL(String(input)).pathname}`);
        return inner.get(id).fetch(input, init);
      },
    }),
  };
  env.CONTROL_PLANE_DO = counting;
  const config = getConfig(env);
  const deps = testDeps(clock);
  let sequence = 0;
  return {
    env,
    clock,
    inner,
    calls,
    globalCalls: () => calls.filter((call) => call.startsWith(`${CONTROL_PLANE_NAME}/`)).length,
    isolate: () => createIsolateState(clock.now()),
    ctx(isolate) {
      sequence += 1;
      const request = new Request("https://pb.example.org/api/v1/ai/analyze", { method: "POST", headers: { "cf-connecting-ip": "198.51.100.7" } });
      return createContext(request, env, config, deps, `req-fleet-${sequence}`, (promise) => void pending.push(promise), isolate);
    },
    async settle() {
      while (pending.length > 0) await Promise.all(pending.splice(0));
    },
  };
}

/** One attempt on `isolate` with the given verdict, its report settled. */
async function attempt(f: Fleet, isolate: IsolateState, verdict: "success" | "failure" | "neutral"): Promise<void> {
  const permit = await acquireProviderPermit(f.ctx(isolate), "gemini");
  await permit.report(verdict);
}

async function shared(f: Fleet): Promise<StateReply["shared"]> {
  return (await post<StateReply>(f.inner, CONTROL_PLANE_NAME, "/breaker/state", { provider: "gemini", now: f.clock.now() })).body.shared;
}

describe("fleet provider breaker: healthy path", () => {
  it("a healthy AI call on a closed view makes no call to the global object (after the isolate's first ask)", async () => {
    const f = fleet();
    const isolate = f.isolate();
    const providerCalls: string[] = [];
    const deps = { ...f.ctx(isolate).deps, fetch: async (input: RequestInfo | URL) => {
      providerCalls.push(String(input));
      return new Response(JSON.stringify(geminiReply("fine")), { status: 200, headers: { "content-type": "application/json" } });
    } };
    const run = async () => {
      const ctx = { ...f.ctx(isolate), deps };
      expect(await runProviderRequest(ctx, { provider: "gemini", apiKey: "AIza-test-key-123456" }, { parts: [{ text: "hi" }], temperature: 0 })).toMatchObject({ kind: "ok" });
      await f.settle();
    };
    await run();
    expect(f.calls).toEqual([`${CONTROL_PLANE_NAME}/breaker/acquire`]);
    for (let index = 0; index < 20; index += 1) await run();
    expect(providerCalls).toHaveLength(21);
    expect(f.globalCalls()).toBe(1);
  });

  it("only the refresh remains: one /breaker/state per refresh interval while calls keep coming", async () => {
    const f = fleet({ PROVIDER_CIRCUIT_REFRESH_MS: "5000" });
    const isolate = f.isolate();
    await attempt(f, isolate, "success");
    f.calls.length = 0;
    for (let index = 0; index < 100; index += 1) {
      await attempt(f, isolate, "success");
      await f.settle();
      f.clock.advance(200);
    }
    // 100 calls over 19.8 s: refreshes at 5, 10 and 15 s, nothing else.
    expect(f.calls).toEqual(Array(3).fill(`${CONTROL_PLANE_NAME}/breaker/state`));
  });

  it("neutral outcomes are never reported; a success is reported only while a streak runs", async () => {
    const f = fleet();
    const isolate = f.isolate();
    await attempt(f, isolate, "success");
    f.calls.length = 0;
    await attempt(f, isolate, "neutral");
    await attempt(f, isolate, "success");
    expect(f.calls).toEqual([]);
    await attempt(f, isolate, "failure");
    expect(await shared(f)).toMatchObject({ phase: "closed", failures: 1 });
    await attempt(f, isolate, "success");
    expect(await shared(f)).toMatchObject({ phase: "closed", failures: 0 });
    await attempt(f, isolate, "success");
    expect(f.calls.filter((call) => call.endsWith("/breaker/report"))).toHaveLength(2);
  });
});

describe("fleet provider breaker: opening", () => {
  it("counted failures from several isolates reach the object and the fleet opens at the threshold", async () => {
    const f = fleet();
    const [a, b] = [f.isolate(), f.isolate()];
    for (const isolate of [a, b]) await attempt(f, isolate, "success");
    for (let index = 0; index < 4; index += 1) await attempt(f, index % 2 === 0 ? a : b, "failure");
    expect(await shared(f)).toMatchObject({ phase: "closed", failures: 4 });
    await attempt(f, b, "failure");
    expect(await shared(f)).toMatchObject({ phase: "open" });
    expect(b.metrics.metrics.circuitOpens).toBe(1);
    expect(a.metrics.metrics.circuitOpens).toBe(0);
    // b learned the opening from its report's reply: refused locally, no object call.
    const before = f.globalCalls();
    expect((await refusal(acquireProviderPermit(f.ctx(b), "gemini"))).failureCause).toBe("provider_circuit_open");
    expect(f.globalCalls()).toBe(before);
  });

  it("an isolate that counted the threshold itself asks before its next call, without waiting for any reply", async () => {
    const f = fleet();
    const isolate = f.isolate();
    await attempt(f, isolate, "success");
    const permits = await Promise.all(Array.from({ length: 5 }, () => acquireProviderPermit(f.ctx(isolate), "gemini")));
    f.calls.length = 0;
    const reports = permits.map((permit) => permit.report("failure"));
    const next = acquireProviderPermit(f.ctx(isolate), "gemini");
    expect(f.calls).toContain(`${CONTROL_PLANE_NAME}/breaker/acquire`);
    await Promise.all(reports);
    expect((await refusal(next)).failureCause).toBe("provider_circuit_open");
  });

  it("an isolate refused while open learns it and refuses locally until the window ends, then asks", async () => {
    const f = fleet({ PROVIDER_CIRCUIT_FAILURE_THRESHOLD: "1" });
    const [opener, late] = [f.isolate(), f.isolate()];
    await attempt(f, opener, "failure");
    f.clock.advance(10_000);
    f.calls.length = 0;
    const first = await refusal(acquireProviderPermit(f.ctx(late), "gemini"));
    expect(first).toMatchObject({ status: 503, failureCause: "provider_circuit_open", retryAfterSec: 20 });
    expect(f.calls).toEqual([`${CONTROL_PLANE_NAME}/breaker/acquire`]);
    for (let second = 1; second < 20; second += 1) {
      f.clock.advance(1_000);
      expect((await refusal(acquireProviderPermit(f.ctx(late), "gemini"))).retryAfterSec).toBe(20 - second);
    }
    expect(f.calls).toHaveLength(1);
    expect(late.metrics.metrics.providerCircuitRejects).toBe(20);
    f.clock.advance(1_000);
    const probe = await acquireProviderPermit(f.ctx(late), "gemini");
    expect(f.calls).toEqual([`${CONTROL_PLANE_NAME}/breaker/acquire`, `${CONTROL_PLANE_NAME}/breaker/acquire`]);
    await probe.report("success");
    expect(await shared(f)).toMatchObject({ phase: "closed" });
  });

  it("the refresh interval bounds how long a closed view stays stale after the fleet opened", async () => {
    const f = fleet({ PROVIDER_CIRCUIT_FAILURE_THRESHOLD: "1", PROVIDER_CIRCUIT_REFRESH_MS: "5000" });
    const [quiet, opener] = [f.isolate(), f.isolate()];
    await attempt(f, quiet, "success");
    await attempt(f, opener, "success");
    f.clock.advance(1_000);
    await attempt(f, opener, "failure");
    // The fleet is open; `quiet` learned its view 1 s ago and may still call for the 4 s left.
    const stale: number[] = [];
    for (let ms = 0; ; ms += 500) {
      const outcome = await acquireProviderPermit(f.ctx(quiet), "gemini").then(
        () => "direct",
        (error: unknown) => (error as ApiError).failureCause,
      );
      await f.settle();
      if (outcome !== "direct") break;
      stale.push(ms);
      f.clock.advance(500);
    }
    // Direct calls at 1.0..4.0 s after its last learn, then the refresh due at 5 s taught it.
    expect(stale.length).toBeLessThanOrEqual(5000 / 500);
    expect(stale.at(-1)).toBe(4000);
    expect(f.calls.filter((call) => call.endsWith("/breaker/state"))).toHaveLength(1);
  });
});

describe("fleet provider breaker: half-open", () => {
  it.each([2, 3, 8])("grants exactly one probe across %i isolates sharing the object; the rest are refused until it reports", async (count) => {
    const f = fleet({ PROVIDER_CIRCUIT_FAILURE_THRESHOLD: "1" });
    const isolates = Array.from({ length: count }, () => f.isolate());
    await attempt(f, isolates[0]!, "failure");
    // The others start unknown, ask, are refused and so learn the window.
    for (const isolate of isolates.slice(1)) await refusal(acquireProviderPermit(f.ctx(isolate), "gemini"));
    f.clock.advance(30_000);
    const outcomes = await Promise.allSettled(isolates.map((isolate) => acquireProviderPermit(f.ctx(isolate), "gemini")));
    const granted = outcomes.filter((outcome): outcome is PromiseFulfilledResult<ProviderPermit> => outcome.status === "fulfilled");
    expect(granted).toHaveLength(1);
    // While the probe runs every isolate (its holder too) asks again and is refused.
    for (const isolate of isolates) {
      const again = await acquireProviderPermit(f.ctx(isolate), "gemini").then(() => null, (error: unknown) => error as ApiError);
      expect(again?.failureCause).toBe("provider_circuit_open");
    }
    await granted[0]!.value.report("neutral");
    expect(await shared(f)).toMatchObject({ phase: "closed", failures: 0 });
    for (const isolate of isolates) await attempt(f, isolate, "success");
    const afterClose = f.globalCalls();
    for (const isolate of isolates) await attempt(f, isolate, "success");
    expect(f.globalCalls()).toBe(afterClose);
  });
});

describe("fleet provider breaker: object unreachable", () => {
  it("falls back, counted: a failed report is recorded locally and every later call asks and falls back", async () => {
    const f = fleet({ PROVIDER_CIRCUIT_FAILURE_THRESHOLD: "2" });
    const isolate = f.isolate();
    await attempt(f, isolate, "success");
    f.inner.failing = true;
    await attempt(f, isolate, "failure");
    expect(isolate.metrics.runtimeConfig.providerBreakerFallbacks).toBe(1);
    await attempt(f, isolate, "failure");
    expect(isolate.metrics.runtimeConfig).toMatchObject({ providerBreakerFallbacks: 2, controlPlaneFallbacks: 2 });
    expect(isolate.metrics.metrics.circuitOpens).toBe(1);
    expect((await refusal(acquireProviderPermit(f.ctx(isolate), "gemini"))).failureCause).toBe("provider_circuit_open");
    expect(isolate.metrics.runtimeConfig.providerBreakerFallbacks).toBe(3);
  });

  it("a failed refresh counts nothing but makes the next call ask the object, which then falls back counted", async () => {
    const f = fleet({ PROVIDER_CIRCUIT_REFRESH_MS: "1000" });
    const isolate = f.isolate();
    await attempt(f, isolate, "success");
    f.inner.failing = true;
    f.clock.advance(1_000);
    await attempt(f, isolate, "success");
    await f.settle();
    expect(isolate.metrics.runtimeConfig.providerBreakerFallbacks).toBe(0);
    f.calls.length = 0;
    await attempt(f, isolate, "success");
    expect(f.calls).toEqual([`${CONTROL_PLANE_NAME}/breaker/acquire`]);
    expect(isolate.metrics.runtimeConfig.providerBreakerFallbacks).toBe(1);
    f.inner.failing = false;
    await attempt(f, isolate, "success");
    f.calls.length = 0;
    await attempt(f, isolate, "success");
    expect(f.calls).toEqual([]);
  });
});
