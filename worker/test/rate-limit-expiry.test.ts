import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RateLimitReply } from "../src/control-plane";
import { rateLimitKey } from "../src/keys";

/** Issue 15 finding 3: a bucket's storage is gone once its window is over (alarm on a manual clock). */
const stubOf = (name: string): DurableObjectStub => env.CONTROL_PLANE_DO.get(env.CONTROL_PLANE_DO.idFromName(name));

async function take(stub: DurableObjectStub, key: string, now: number): Promise<RateLimitReply> {
  const response = await stub.fetch("https://control-plane/rate-limit", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key, now }) });
  expect(response.status).toBe(200);
  return (await response.json()) as RateLimitReply;
}

const storedKeys = (stub: DurableObjectStub) => runInDurableObject(stub, async (_instance, state) => [...(await state.storage.list()).keys()]);
const alarmOf = (stub: DurableObjectStub) => runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());

afterEach(() => vi.useRealTimers());

describe("rate-limit bucket expiry on workerd", () => {
  it("schedules one alarm per bucket and deletes the bucket when it fires after the window", async () => {
    const start = Date.now();
    const key = rateLimitKey("session:fresh-cookie-0001", "192.0.2.50");
    const stub = stubOf(key);
    expect((await take(stub, key, start)).allowed).toBe(true);
    expect((await take(stub, key, start + 10)).allowed).toBe(true);
    expect(await storedKeys(stub)).toEqual([key]);
    expect(await alarmOf(stub)).toBe(start + 60_000);

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(start + 61_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await storedKeys(stub)).toEqual([]);
    expect(await alarmOf(stub)).toBeNull();
  });

  it("keeps a bucket that is still in its window and re-arms the alarm for its newest request", async () => {
    const start = Date.now();
    const key = rateLimitKey("session:honest-cookie-0002", "192.0.2.51");
    const stub = stubOf(key);
    await take(stub, key, start);
    await take(stub, key, start + 30_000);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(start + 60_500);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await storedKeys(stub)).toEqual([key]);
    expect(await alarmOf(stub)).toBe(start + 30_000 + 60_000);
  });
});
