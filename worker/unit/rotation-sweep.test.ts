import { describe, expect, it } from "vitest";
import { open } from "../src/crypto";
import { handleRequest } from "../src/index";
import { parseStoredRecord } from "../src/sessions";
import { addCounts, emptyCounts, type SweepCounts, type SweepPage } from "../src/rotation-sweep";
import { manualDeps } from "./auth-helpers";
import { makeEnv, type FakeKv } from "./fakes";
import { seedRecords, type SeedPlan } from "./rotation-records";

const OLD = "rotation-old-secret-3b9e1d7a5c2f8046aa";
const NEW = "rotation-new-secret-8d2c6f0a4e1b9357bb";
const WRONG = "rotation-wrong-secret-1a2b3c4d5e6f7089";
const ADMIN_TOKEN = "admin-token-for-the-sweep-tests-4f9a2c7e1b";

/** 1,000 records on the old secret: sessions and accounts, today's format, pre-metadata, and the original's legacy format. */
const PLAN: SeedPlan = { sessions: { v2: 300, "v2-no-metadata": 150, legacy: 100 }, accounts: { v2: 250, "v2-no-metadata": 100, legacy: 100 } };

function sweepRequest(body: unknown, token: string | null = ADMIN_TOKEN): Request {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return new Request("https://pb.example.org/api/v1/admin/reseal", { method: "POST", headers, body: JSON.stringify(body) });
}

async function runSweep(env: ReturnType<typeof makeEnv>, deps: ReturnType<typeof manualDeps>, dryRun: boolean, limit = 137): Promise<{ total: SweepCounts; pages: number }> {
  let cursor: string | null = null;
  let total = emptyCounts();
  let pages = 0;
  do {
    const response = await handleRequest(sweepRequest({ cursor, limit, dryRun }), env, deps);
    expect(response.status).toBe(200);
    const page = (await response.json()) as SweepPage;
    total = addCounts(total, page);
    cursor = page.cursor;
    pages += 1;
  } while (cursor !== null);
  return { total, pages };
}

async function setUp(prev: string) {
  const deps = manualDeps();
  const env = makeEnv({ NODE_ENV: "production", KEY_ENCRYPTION_SECRET: NEW, KEY_ENCRYPTION_SECRET_PREV: prev, ADMIN_TOKEN }, deps.now);
  const seeded = await seedRecords(env.AI_SESSIONS, OLD, PLAN, deps.now());
  return { deps, env, seeded, kv: env.AI_SESSIONS as FakeKv };
}

describe("re-seal sweep (POST /api/v1/admin/reseal)", () => {
  it("re-seals 1,000 old-secret records so that each opens with the new secret alone, deleting nothing", async () => {
    const { deps, env, seeded, kv } = await setUp(OLD);
    const before = await runSweep(env, deps, true);
    expect(before.total).toMatchObject({ scanned: 1000, oldKey: 1000, legacy: 200, current: 0, resealed: 0, foreign: 0, unreadable: 0 });
    expect(kv.writes).toHaveLength(1000);

    const sweep = await runSweep(env, deps, false);
    expect(sweep.total).toMatchObject({ scanned: 1000, oldKey: 1000, resealed: 1000, failed: 0, foreign: 0, unreadable: 0 });
    expect(sweep.pages).toBeGreaterThan(2);

    const after = await runSweep(env, deps, true);
    expect(after.total).toMatchObject({ scanned: 1000, current: 1000, oldKey: 0, legacy: 0, foreign: 0, unreadable: 0 });
    expect(kv.deletes).toEqual([]);
    expect(kv.entries.size).toBe(1000);
    for (const record of seeded) {
      const stored = parseStoredRecord(kv.entries.get(record.key)!.value)!;
      const opened = await open(stored.encryptedApiKey, { active: NEW, previous: null }, record.key);
      expect(opened, record.key).toEqual({ ok: true, value: { plaintext: record.apiKey, slot: "active", format: "v2" } });
    }
  });

  it("keeps each session's remaining lifetime and each account's updatedAt", async () => {
    const { deps, env, seeded, kv } = await setUp(OLD);
    const session = seeded.find((r) => r.key.startsWith("session:"))!;
    const account = seeded.find((r) => r.key.startsWith("account:"))!;
    const sessionBefore = JSON.parse(kv.entries.get(session.key)!.value) as Record<string, number>;
    const accountBefore = JSON.parse(kv.entries.get(account.key)!.value) as Record<string, number>;
    deps.advance(3_600_000);
    await runSweep(env, deps, false);
    expect(JSON.parse(kv.entries.get(session.key)!.value)).toMatchObject({ expiresAt: sessionBefore.expiresAt, createdAt: sessionBefore.createdAt });
    expect(kv.writes.at(-1)!.expirationTtl ?? 0).toBeLessThanOrEqual(20 * 3600);
    expect(JSON.parse(kv.entries.get(account.key)!.value)).toMatchObject({ updatedAt: accountBefore.updatedAt });
  });

  it("with a wrong PREV changes and deletes nothing, and reports the records as foreign or unreadable", async () => {
    const { deps, env, kv } = await setUp(WRONG);
    const snapshot = new Map([...kv.entries].map(([key, entry]) => [key, entry.value]));
    const sweep = await runSweep(env, deps, false);
    expect(sweep.total).toMatchObject({ scanned: 1000, oldKey: 0, resealed: 0, foreign: 800, unreadable: 200 });
    expect(kv.deletes).toEqual([]);
    expect(kv.writes).toHaveLength(1000);
    for (const [key, value] of snapshot) expect(kv.entries.get(key)?.value).toBe(value);
  });

  it("leaves a session past its expiresAt alone (KV's TTL removes it): counted, neither re-sealed nor deleted", async () => {
    const { deps, env, kv, seeded } = await setUp(OLD);
    const session = seeded.find((r) => r.key.startsWith("session:") && r.format === "v2-no-metadata")!;
    const entry = kv.entries.get(session.key)!;
    kv.entries.set(session.key, { ...entry, value: JSON.stringify({ ...JSON.parse(entry.value), expiresAt: new Date(deps.now() - 1000).toISOString() }) });
    const sweep = await runSweep(env, deps, false);
    expect(sweep.total).toMatchObject({ scanned: 1000, expired: 1, resealed: 999 });
    expect(kv.entries.get(session.key)!.value).toContain(new Date(deps.now() - 1000).toISOString());
    expect(kv.deletes).toEqual([]);
  });

  it("does not list sessions KV has already expired; accounts (no TTL) are all re-sealed", async () => {
    const { deps, env, kv } = await setUp(OLD);
    deps.advance(21 * 3_600_000);
    const sweep = await runSweep(env, deps, false);
    expect(sweep.total).toMatchObject({ scanned: 450, resealed: 450, oldKey: 450 });
    expect(kv.deletes).toEqual([]);
  });

  it.each([
    ["no Authorization header", null],
    ["a wrong token", "admin-token-for-the-sweep-tests-4f9a2c7e1X"],
    ["a token of another length", "short"],
  ])("answers 404 with %s, like an unknown route", async (_name, token) => {
    const { deps, env, kv } = await setUp(OLD);
    const response = await handleRequest(sweepRequest({}, token), env, deps);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    expect(kv.writes).toHaveLength(1000);
  });

  it("answers 404 to everyone when ADMIN_TOKEN is not configured", async () => {
    const deps = manualDeps();
    const env = makeEnv({ KEY_ENCRYPTION_SECRET: NEW }, deps.now);
    expect((await handleRequest(sweepRequest({}, ""), env, deps)).status).toBe(404);
    expect((await handleRequest(sweepRequest({}), env, deps)).status).toBe(404);
  });

  it.each([
    [{ cursor: "nope" }, /cursor/],
    [{ cursor: 5 }, /cursor/],
    [{ limit: 0 }, /limit/],
    [{ limit: 401 }, /limit/],
    [{ limit: 1.5 }, /limit/],
    [{ dryRun: "yes" }, /dryRun/],
  ])("refuses %j with a 400 naming the field", async (body, field) => {
    const { deps, env } = await setUp(OLD);
    const response = await handleRequest(sweepRequest(body), env, deps);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(field);
  });
});
