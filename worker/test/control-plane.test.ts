import { env, evictDurableObject, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AcquireReply, RateLimitReply, ReportReply } from "../src/control-plane";
import { CONTROL_PLANE_NAME, rateLimitKey } from "../src/keys";

const T0 = 1_800_000_000_000;

/** A stub of the named object; each call makes a fresh stub, as a separate Worker isolate would. */
function stubOf(name: string): DurableObjectStub {
  return env.CONTROL_PLANE_DO.get(env.CONTROL_PLANE_DO.idFromName(name));
}

async function post<T>(stub: DurableObjectStub, path: string, body: unknown): Promise<T> {
  const response = await stub.fetch(`https://control-plane${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

describe("ControlPlaneDO on workerd", () => {
  it("shares one rate-limit window between two stubs and keeps it across eviction", async () => {
    const key = rateLimitKey("anon", "192.0.2.10");
    const first = stubOf(key);
    const second = stubOf(key);
    for (let index = 0; index < 45; index += 1) {
      const reply = await post<RateLimitReply>(index % 2 === 0 ? first : second, "/rate-limit", { key, now: T0 + index });
      expect(reply.allowed).toBe(true);
    }
    expect(await post<RateLimitReply>(second, "/rate-limit", { key, now: T0 + 1_000 })).toEqual({ allowed: false, retryAfterMs: 57_800, remaining: 0 });

    await evictDurableObject(first);
    const afterRestart = stubOf(key);
    expect((await post<RateLimitReply>(afterRestart, "/rate-limit", { key, now: T0 + 2_000 })).allowed).toBe(false);
    const stored = await runInDurableObject(afterRestart, (_instance, state) => state.storage.get<number[]>(key));
    expect(stored).toHaveLength(45);
    expect((await post<RateLimitReply>(afterRestart, "/rate-limit", { key, now: T0 + 60_000 })).allowed).toBe(true);
  });

  it("shares the provider breaker between stubs, survives eviction, and grants a single probe", async () => {
    const a = stubOf(CONTROL_PLANE_NAME);
    const b = stubOf(CONTROL_PLANE_NAME);
    let opened = false;
    for (let index = 0; index < 5; index += 1) {
      opened = (await post<ReportReply>(index % 2 === 0 ? a : b, "/breaker/report", { provider: "openrouter", now: T0, success: false })).opened;
    }
    expect(opened).toBe(true);
    await evictDurableObject(a);
    const restarted = stubOf(CONTROL_PLANE_NAME);
    expect(await post<AcquireReply>(restarted, "/breaker/acquire", { provider: "openrouter", now: T0 + 10_000 })).toMatchObject({ allowed: false, retryAfterMs: 20_000 });

    const [probeA, probeB] = await Promise.all([
      post<AcquireReply>(stubOf(CONTROL_PLANE_NAME), "/breaker/acquire", { provider: "openrouter", now: T0 + 30_000 }),
      post<AcquireReply>(stubOf(CONTROL_PLANE_NAME), "/breaker/acquire", { provider: "openrouter", now: T0 + 30_000 }),
    ]);
    expect([probeA.probe, probeB.probe].filter(Boolean)).toHaveLength(1);
    const probe = probeA.probe ? probeA : probeB;
    await post<ReportReply>(restarted, "/breaker/report", { provider: "openrouter", now: T0 + 30_100, success: true, probeSeq: probe.probeSeq });
    expect(await post<AcquireReply>(b, "/breaker/acquire", { provider: "openrouter", now: T0 + 30_200 })).toMatchObject({ allowed: true, probe: false });
  });

  it("answers the 46th POST /api/v1/auth/connect from one client with 429 and Retry-After", async () => {
    const connect = () =>
      SELF.fetch("http://127.0.0.1/api/v1/auth/connect", {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": "192.0.2.77" },
        body: "{}",
      });
    for (let index = 0; index < 45; index += 1) expect((await connect()).status).toBe(400);
    const limited = await connect();
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
  });
});
