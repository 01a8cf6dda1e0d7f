import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { keyIdFor } from "../src/crypto";
import { handleRequest } from "../src/index";
import { sessionKey } from "../src/keys";
import { metrics, resetMetrics } from "../src/metrics";
import { connectRequest, installProviderLab, manualDeps, sessionCookieFrom, statusRequest } from "./auth-helpers";
import { createFakeKv, makeEnv, TEST_SECRET, TEST_SECRET_PREV } from "./fakes";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());
beforeEach(() => {
  resetMetrics();
  installProviderLab(server);
});

const API_KEY = "AIzaSyRotation-test-key-0123456789";
const NEW_SECRET = "rotation-new-secret-5e8c1a7f3d9b2046";

type Json = Record<string, unknown>;
const sealedOf = (value: string) => JSON.parse((JSON.parse(value) as { encryptedApiKey: string }).encryptedApiKey) as Record<string, unknown>;

/** Builds a record exactly like the original worker did: key = raw SHA-256(secret), 12-byte IV, no AAD. */
async function legacyEncrypt(plaintext: string, secret: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret));
  const key = await crypto.subtle.importKey("raw", digest, { name: "AES-GCM" }, false, ["encrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, new TextEncoder().encode(plaintext)));
  return JSON.stringify({ iv: Buffer.from(iv).toString("base64"), data: Buffer.from(data).toString("base64") });
}

describe("session lifetime on a manual clock", () => {
  it("is connected until expiresAt, then reads as disconnected and the cookie is cleared", async () => {
    const deps = manualDeps();
    const env = makeEnv({}, deps.now);
    const cookie = sessionCookieFrom(await handleRequest(connectRequest({ provider: "gemini", apiKey: API_KEY }), env, deps));
    deps.advance(86_399_000);
    expect(((await (await handleRequest(statusRequest({ cookie }), env, deps)).json()) as Json).connected).toBe(true);
    deps.advance(1_000);
    const expired = await handleRequest(statusRequest({ cookie }), env, deps);
    expect((await expired.json()) as Json).toEqual({ connected: false, scope: "device" });
    expect(expired.headers.get("set-cookie")).toContain("Max-Age=0");
  });
});

describe("undecryptable records", () => {
  it("a record sealed under a secret that is gone reads as disconnected but is kept (its key id names no configured secret)", async () => {
    const deps = manualDeps();
    const kv = createFakeKv(deps.now);
    const cookie = sessionCookieFrom(await handleRequest(connectRequest({ provider: "gemini", apiKey: API_KEY }), makeEnv({ AI_SESSIONS: kv }, deps.now), deps));
    const rotatedWithoutPrev = makeEnv({ AI_SESSIONS: kv, KEY_ENCRYPTION_SECRET: NEW_SECRET }, deps.now);
    const response = await handleRequest(statusRequest({ cookie }), rotatedWithoutPrev, deps);
    expect((await response.json()) as Json).toEqual({ connected: false, scope: "device" });
    expect(kv.entries.size).toBe(1);
    expect(metrics.secretRotation).toMatchObject({ decryptFailures: 1, unknownKeyIdRecords: 1 });
  });
});

describe("secret rotation overlap", () => {
  it("reads a PREV record with active+PREV, re-seals it to active keeping its TTL, then reads it with active only", async () => {
    const deps = manualDeps();
    const kv = createFakeKv(deps.now);
    const before = makeEnv({ AI_SESSIONS: kv, KEY_ENCRYPTION_SECRET: TEST_SECRET_PREV }, deps.now);
    const cookie = sessionCookieFrom(await handleRequest(connectRequest({ provider: "gemini", apiKey: API_KEY }), before, deps));
    const key = sessionKey(cookie.split("=")[1]!);
    expect(sealedOf(kv.entries.get(key)!.value).kid).toBe(await keyIdFor(TEST_SECRET_PREV));

    deps.advance(600_000);
    const during = makeEnv({ AI_SESSIONS: kv, KEY_ENCRYPTION_SECRET: NEW_SECRET, KEY_ENCRYPTION_SECRET_PREV: TEST_SECRET_PREV }, deps.now);
    expect(((await (await handleRequest(statusRequest({ cookie }), during, deps)).json()) as Json).connected).toBe(true);
    const rewrite = kv.writes.at(-1)!;
    expect([rewrite.key, rewrite.expirationTtl]).toEqual([key, 86_400 - 600]);
    expect(sealedOf(rewrite.value).kid).toBe(await keyIdFor(NEW_SECRET));
    expect(metrics.secretRotation).toMatchObject({ fallbackDecrypts: 1, reencryptSuccesses: 1, decryptFailures: 0 });

    const after = makeEnv({ AI_SESSIONS: kv, KEY_ENCRYPTION_SECRET: NEW_SECRET }, deps.now);
    expect(((await (await handleRequest(statusRequest({ cookie }), after, deps)).json()) as Json).connected).toBe(true);
    expect(metrics.secretRotation.fallbackDecrypts).toBe(1);
  });
});

describe("records written by the original worker", () => {
  it.each([
    ["ISO timestamps", (now: number) => ({ createdAt: new Date(now).toISOString(), expiresAt: new Date(now + 86_400_000).toISOString() })],
    ["millisecond timestamps", (now: number) => ({ createdAt: now, expiresAt: now + 86_400_000 })],
  ])("decrypt (%s) and are rewritten in the v2 format", async (_label, times) => {
    const deps = manualDeps();
    const env = makeEnv({}, deps.now);
    const sessionId = "0d9c8b7a-6f5e-4d3c-8b2a-19f8e7d6c5b4";
    const record = { provider: "gemini", encryptedApiKey: await legacyEncrypt(API_KEY, TEST_SECRET), ...times(deps.now()) };
    await env.AI_SESSIONS.put(sessionKey(sessionId), JSON.stringify(record), { expirationTtl: 86_400 });

    const response = await handleRequest(statusRequest({ cookie: `pb_ai_session=${sessionId}` }), env, deps);
    expect((await response.json()) as Json).toEqual({ connected: true, provider: "gemini", expiresAt: deps.now() + 86_400_000, scope: "device" });
    const rewritten = env.AI_SESSIONS.entries.get(sessionKey(sessionId))!.value;
    expect(sealedOf(rewritten)).toMatchObject({ v: 2, kid: await keyIdFor(TEST_SECRET) });
    expect(rewritten).not.toContain(API_KEY);
    expect(metrics.secretRotation).toMatchObject({ legacyDecrypts: 1, reencryptSuccesses: 1 });

    await handleRequest(statusRequest({ cookie: `pb_ai_session=${sessionId}` }), env, deps);
    expect(metrics.secretRotation.legacyDecrypts).toBe(1);
  });
});
