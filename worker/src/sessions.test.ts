import { beforeEach, describe, expect, it } from "vitest";
import { countingKv, manualDeps } from "../unit/auth-helpers";
import { makeEnv, TEST_SECRET, TEST_SECRET_PREV } from "../unit/fakes";
import { parseConfig } from "./config";
import { createContext } from "./context";
import { keyIdFor, seal } from "./crypto";
import type { WorkerEnv } from "./env";
import { ApiError } from "./errors";
import { accountKey, sessionKey } from "./keys";
import { metrics, resetMetrics } from "./metrics";
import { loadCredential as loadWith, parseStoredRecord, parseTimestamp, remainingTtlSeconds, requireKeyring } from "./sessions";
import type { RequestContext } from "./context";
import type { Identity } from "./types";

const loadCredential = async (ctx: RequestContext, identity: Identity) => loadWith(ctx, requireKeyring(ctx), identity);

const SESSION_ID = "6b0f7d2a-4c1e-4f8b-9a3d-2e5c7f9b1d40";
const KEY = sessionKey(SESSION_ID);
const T0 = Date.parse("2026-06-01T12:00:00Z");

function setup(overrides: Partial<WorkerEnv> = {}) {
  const deps = manualDeps(T0);
  const env = makeEnv(overrides, deps.now);
  const ctx = () => createContext(new Request("http://127.0.0.1/api/v1/ai/analyze"), env, parseConfig(env), deps, "req-sessions-01");
  return { deps, env, kv: env.AI_SESSIONS, ctx };
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return error;
}

const sessionRecord = async (secret: string, fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    provider: "gemini",
    encryptedApiKey: await seal("AIzaSyStoredKey", secret, KEY),
    createdAt: new Date(T0).toISOString(),
    expiresAt: new Date(T0 + 86_400_000).toISOString(),
    ...fields,
  });

beforeEach(() => resetMetrics());

describe("record parsing", () => {
  it.each([
    [1760000000000, 1760000000000],
    ["1760000000000", 1760000000000],
    ["2026-06-01T12:00:00.000Z", T0],
    ["yesterday-ish", null],
    [null, null],
    [Number.NaN, null],
  ])("parseTimestamp(%s) → %s", (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  it("rejects records without a known provider or ciphertext", () => {
    expect(parseStoredRecord('{"provider":"openai","encryptedApiKey":"x"}')).toBeNull();
    expect(parseStoredRecord('{"provider":"gemini"}')).toBeNull();
    expect(parseStoredRecord("not json")).toBeNull();
  });

  it("keeps at least the KV minimum TTL and rounds the remainder up", () => {
    expect(remainingTtlSeconds(T0 + 10_000, T0)).toBe(60);
    expect(remainingTtlSeconds(T0 + 3_600_500, T0)).toBe(3601);
  });
});

describe("loadCredential", () => {
  it("returns the decrypted key of a live session", async () => {
    const { kv, ctx } = setup();
    await kv.put(KEY, await sessionRecord(TEST_SECRET), { expirationTtl: 86400 });
    expect(await loadCredential(ctx(), { kind: "session", sessionId: SESSION_ID })).toEqual({ provider: "gemini", apiKey: "AIzaSyStoredKey" });
  });

  it("asks to connect when nothing is stored or there is no identity", async () => {
    const { ctx } = setup();
    expect((await rejection(loadCredential(ctx(), { kind: "session", sessionId: SESSION_ID }))).code).toBe("AUTH_REQUIRED");
    expect((await rejection(loadCredential(ctx(), { kind: "anon" }))).code).toBe("AUTH_REQUIRED");
  });

  it("treats a record past its expiresAt as expired and deletes it, even while KV still holds it", async () => {
    const { kv, ctx, deps } = setup();
    await kv.put(KEY, await sessionRecord(TEST_SECRET, { expiresAt: T0 + 1000 }));
    deps.advance(1000);
    const error = await rejection(loadCredential(ctx(), { kind: "session", sessionId: SESSION_ID }));
    expect([error.status, error.code, error.message]).toEqual([403, "AUTH_EXPIRED", "AI session expired. Reconnect your key to continue."]);
    expect(kv.entries.has(KEY)).toBe(false);
  });

  it.each([
    [
      "a tampered ciphertext under the active key id",
      async () => sessionRecord(TEST_SECRET, { encryptedApiKey: JSON.stringify({ v: 2, kid: await keyIdFor(TEST_SECRET), iv: "AAAAAAAAAAAAAAAA", data: "AAAAAAAAAAAAAAAAAAAAAAAA" }) }),
    ],
    ["a record that is not JSON", async () => "garbage"],
  ])("deletes %s and answers 403 AUTH_EXPIRED", async (label, make) => {
    const { kv, ctx } = setup();
    await kv.put(KEY, await make());
    const error = await rejection(loadCredential(ctx(), { kind: "session", sessionId: SESSION_ID }));
    const message = label.includes("JSON") ? "AI session is invalid. Reconnect your key to continue." : "AI session could not be decrypted. Reconnect your key to continue.";
    expect([error.status, error.code, error.message]).toEqual([403, "AUTH_EXPIRED", message]);
    expect(kv.entries.has(KEY)).toBe(false);
    expect(metrics.secretRotation.decryptFailures).toBe(1);
  });

  it("keeps a record whose key id names neither configured secret (a wrong PREV deletes nothing) and counts it", async () => {
    const { kv, ctx } = setup({ KEY_ENCRYPTION_SECRET_PREV: TEST_SECRET_PREV });
    await kv.put(KEY, await sessionRecord("some-other-secret-entirely-0000"));
    const error = await rejection(loadCredential(ctx(), { kind: "session", sessionId: SESSION_ID }));
    expect([error.status, error.code]).toEqual([403, "AUTH_EXPIRED"]);
    expect(kv.entries.has(KEY)).toBe(true);
    expect(metrics.secretRotation).toMatchObject({ unknownKeyIdRecords: 1, decryptFailures: 1 });
  });

  it.each([
    ["a placeholder", "placeholder-your-secret-here-xxxxxxxx"],
    ["too short", "k9Qz3vTw"],
    ["empty", ""],
  ])("fails with the original's 500 INTERNAL_ERROR before any KV call when the secret is %s", async (_label, secret) => {
      const { env, ctx } = setup({ KEY_ENCRYPTION_SECRET: secret });
      const kv = countingKv(env.AI_SESSIONS);
      env.AI_SESSIONS = kv;
      const error = await rejection(loadCredential(ctx(), { kind: "session", sessionId: SESSION_ID }));
      expect([error.status, error.code, error.message]).toEqual([500, "INTERNAL_ERROR", "AI proxy encryption secret is not configured"]);
      if (secret) expect(error.message).not.toContain(secret);
      expect(kv.calls).toEqual([]);
      expect(metrics.runtimeConfig.invalidEncryptionSecret).toBe(1);
      expect(metrics.secretRotation.invalidEncryptionSecret).toBe(1);
  });

  it("maps a KV outage to 503 kv_unavailable with Retry-After 5", async () => {
    const { kv, ctx } = setup();
    kv.failing = true;
    const error = await rejection(loadCredential(ctx(), { kind: "user", sub: "user_1" }));
    expect([error.status, error.code, error.failureCause, error.retryAfterSec]).toEqual([503, "SERVICE_UNAVAILABLE", "kv_unavailable", 5]);
  });

  it("re-seals a PREV record under the active secret keeping the session's remaining TTL", async () => {
    const { kv, ctx, deps } = setup({ KEY_ENCRYPTION_SECRET_PREV: TEST_SECRET_PREV });
    await kv.put(KEY, await sessionRecord(TEST_SECRET_PREV), { expirationTtl: 86400 });
    deps.advance(3_600_000);
    expect((await loadCredential(ctx(), { kind: "session", sessionId: SESSION_ID })).apiKey).toBe("AIzaSyStoredKey");
    const rewrite = kv.writes.at(-1)!;
    expect(rewrite.expirationTtl).toBe(86400 - 3600);
    const stored = JSON.parse(rewrite.value) as { encryptedApiKey: string; expiresAt: string };
    expect(JSON.parse(stored.encryptedApiKey)).toMatchObject({ v: 2, kid: await keyIdFor(TEST_SECRET) });
    expect(stored.expiresAt).toBe(new Date(T0 + 86_400_000).toISOString());
    expect(metrics.secretRotation).toMatchObject({ fallbackDecrypts: 1, reencryptSuccesses: 1, reencryptFailures: 0 });
  });

  it("still answers when the re-seal write fails, and counts the failure", async () => {
    const { env, ctx } = setup({ KEY_ENCRYPTION_SECRET_PREV: TEST_SECRET_PREV });
    const account = accountKey("user_9");
    const record = JSON.stringify({ provider: "openrouter", encryptedApiKey: await seal("sk-or-v1-abc", TEST_SECRET_PREV, account), createdAt: T0, updatedAt: T0 });
    await env.AI_SESSIONS.put(account, record);
    env.AI_SESSIONS = { ...env.AI_SESSIONS, get: env.AI_SESSIONS.get, put: async () => Promise.reject(new Error("KV down")) } as typeof env.AI_SESSIONS;
    expect(await loadCredential(ctx(), { kind: "user", sub: "user_9" })).toEqual({ provider: "openrouter", apiKey: "sk-or-v1-abc" });
    expect(metrics.secretRotation).toMatchObject({ fallbackDecrypts: 1, reencryptSuccesses: 0, reencryptFailures: 1 });
  });

  it("counts an ignored PREV secret lazily: only when the active secret could not open a record", async () => {
    const { kv, ctx } = setup({ KEY_ENCRYPTION_SECRET_PREV: TEST_SECRET });
    await kv.put(KEY, await sessionRecord(TEST_SECRET), { expirationTtl: 86400 });
    await loadCredential(ctx(), { kind: "session", sessionId: SESSION_ID });
    expect(metrics.runtimeConfig.invalidRotationSecret).toBe(0);
    await kv.put(KEY, await sessionRecord(TEST_SECRET_PREV), { expirationTtl: 86400 });
    await rejection(loadCredential(ctx(), { kind: "session", sessionId: SESSION_ID }));
    expect(metrics.runtimeConfig.invalidRotationSecret).toBe(1);
    expect(metrics.secretRotation.invalidRotationSecret).toBe(1);
  });
});
