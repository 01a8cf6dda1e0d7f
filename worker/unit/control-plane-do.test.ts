import { describe, expect, it } from "vitest";
import type { AcquireReply, RateLimitReply, ReportReply, ViewsReply } from "../src/control-plane";
import { CONTROL_PLANE_NAME, providerBreakerKey, rateLimitKey } from "../src/keys";
import { createControlPlaneNamespace, post } from "./control-plane-harness";
import { makeEnv } from "./fakes";

const T0 = 1_800_000_000_000;
const BUCKET = rateLimitKey("anon", "198.51.100.7");

function setup(overrides = {}) {
  const namespace = createControlPlaneNamespace(makeEnv(overrides));
  return {
    namespace,
    take: (now: number, key = BUCKET) => post<RateLimitReply>(namespace, key, "/rate-limit", { key, now }),
    acquire: (now: number, provider = "gemini") => post<AcquireReply>(namespace, CONTROL_PLANE_NAME, "/breaker/acquire", { provider, now }),
    report: (now: number, success: boolean, probeSeq: number | null = null, provider = "gemini") =>
      post<ReportReply>(namespace, CONTROL_PLANE_NAME, "/breaker/report", { provider, now, success, probeSeq }),
  };
}

describe("ControlPlaneDO rate limiter", () => {
  it("admits 45 per 60 s and refuses the 46th with the time until a slot frees", async () => {
    const { take } = setup();
    for (let index = 0; index < 45; index += 1) expect((await take(T0 + index * 10)).body.allowed).toBe(true);
    const refused = await take(T0 + 1_000);
    expect(refused.body).toEqual({ allowed: false, retryAfterMs: 57_800, remaining: 0 });
    expect((await take(T0 + 58_800 - 1)).body.allowed).toBe(false);
    expect((await take(T0 + 60_000)).body.allowed).toBe(true);
  });

  it("keeps its counts across eviction, and persists once per admitted request", async () => {
    const { namespace, take } = setup({ RATE_LIMIT_MAX: "3" });
    for (let index = 0; index < 3; index += 1) await take(T0);
    expect(namespace.storage(BUCKET).puts).toEqual([BUCKET, BUCKET, BUCKET]);
    namespace.evict(BUCKET);
    expect(namespace.instances()).toBe(0);
    expect((await take(T0 + 1)).body.allowed).toBe(false);
    expect(namespace.storage(BUCKET).puts).toHaveLength(3);
  });

  it("keeps buckets apart", async () => {
    const { take } = setup({ RATE_LIMIT_MAX: "1" });
    expect((await take(T0)).body.allowed).toBe(true);
    expect((await take(T0, rateLimitKey("anon", "198.51.100.8"))).body.allowed).toBe(true);
    expect((await take(T0)).body.allowed).toBe(false);
  });

  it("admits exactly max under concurrent requests for one bucket", async () => {
    const { take } = setup({ RATE_LIMIT_MAX: "5" });
    const replies = await Promise.all(Array.from({ length: 20 }, () => take(T0)));
    expect(replies.filter((reply) => reply.body.allowed)).toHaveLength(5);
  });

  it("rejects malformed calls with 400 and unknown routes with 404", async () => {
    const { namespace } = setup();
    expect((await post(namespace, BUCKET, "/rate-limit", { key: BUCKET })).status).toBe(400);
    expect((await post(namespace, BUCKET, "/rate-limit", { key: 7, now: T0 })).status).toBe(400);
    expect((await post(namespace, CONTROL_PLANE_NAME, "/breaker/acquire", { provider: "openai", now: T0 })).status).toBe(400);
    expect((await post(namespace, CONTROL_PLANE_NAME, "/nope", { now: T0 })).status).toBe(404);
  });
});

describe("ControlPlaneDO provider breaker", () => {
  it("opens on the 5th consecutive failed attempt and refuses with the remaining window", async () => {
    const { acquire, report } = setup();
    for (let index = 1; index <= 4; index += 1) expect((await report(T0, false)).body.opened).toBe(false);
    expect((await acquire(T0)).body.allowed).toBe(true);
    const fifth = await report(T0, false);
    expect(fifth.body).toMatchObject({ opened: true, view: { state: "open", remainingMs: 30_000 } });
    expect((await acquire(T0 + 10_000)).body).toMatchObject({ allowed: false, retryAfterMs: 20_000 });
  });

  it("grants one probe to one caller across two stubs, and closes on its success", async () => {
    const { namespace, acquire, report } = setup({ PROVIDER_CIRCUIT_FAILURE_THRESHOLD: "1" });
    await report(T0, false);
    const isolateA = await acquire(T0 + 30_000);
    const isolateB = await post<AcquireReply>(namespace, CONTROL_PLANE_NAME, "/breaker/acquire", { provider: "gemini", now: T0 + 30_001 });
    expect(isolateA.body).toMatchObject({ allowed: true, probe: true });
    expect(isolateB.body).toMatchObject({ allowed: false, probe: false });
    await report(T0 + 30_100, true, isolateA.body.probeSeq);
    expect((await acquire(T0 + 30_200)).body).toMatchObject({ allowed: true, probe: false });
  });

  it("keeps the breaker across eviction with one storage.put per snapshot", async () => {
    const { namespace, acquire, report } = setup({ PROVIDER_CIRCUIT_FAILURE_THRESHOLD: "2" });
    await report(T0, false);
    await report(T0, false);
    const storage = namespace.storage(CONTROL_PLANE_NAME);
    expect(storage.puts).toEqual([providerBreakerKey("gemini"), providerBreakerKey("gemini")]);
    namespace.evict(CONTROL_PLANE_NAME);
    expect((await acquire(T0 + 1_000)).body).toMatchObject({ allowed: false, retryAfterMs: 29_000 });
    expect((await acquire(T0 + 1_000, "openrouter")).body.allowed).toBe(true);
  });

  it("reports both providers' views", async () => {
    const { namespace, report } = setup({ PROVIDER_CIRCUIT_FAILURE_THRESHOLD: "1" });
    await report(T0, false, null, "openrouter");
    const views = await post<ViewsReply>(namespace, CONTROL_PLANE_NAME, "/breaker/views", { now: T0 + 1 });
    expect(views.body.circuits.gemini.state).toBe("closed");
    expect(views.body.circuits.openrouter).toEqual({ state: "open", open: true, openUntil: T0 + 30_000, remainingMs: 29_999 });
  });
});
