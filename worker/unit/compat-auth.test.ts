/**
 * Drop-in compatibility with the original PocketBrain worker: auth, secret, cookie, sessions
 * (issue 13; the original's contract is summarised in docs/api.md and docs/migration.md).
 *
 * Fixed here (each has a test below): the runtime secret rule is the original's, checked only by
 * connect and /api/v1/ai/*, answering 500 INTERNAL_ERROR "AI proxy encryption secret is not
 * configured" (counted under reliability.runtimeConfig and secretRotation); an ignored PREV is
 * counted lazily (only when the active secret could not open a record); a cookie value of the
 * original's shape is looked up; a bearer with no Clerk config is 500 AUTH_CONFIG_INVALID
 * `missingClerkConfig` unless insecure dev auth applies; partial/invalid Clerk config fails even
 * with insecure dev auth on, and a complete one is tried before the unverified decode; the
 * original's messages for the Clerk, connect-body, credential and KV errors; on /api/v1/ai/* the
 * credential is resolved before the rate limit (keyed by the credential used) and the body after
 * it; a signed-in user without an account record uses the device cookie; connect's rate-limit
 * identity is `user:<sub>` or `anon`; connect's order 415 → secret → auth config → rate limit →
 * body → provider → key → validation → store; an unparsable session record answers "AI session
 * is invalid", an unparsable account record counts as absent (cookie fallback); legacy records
 * open with the untrimmed active secret.
 *
 * Differences kept, and why (the contract in docs/api.md wins where it deliberately differs; all listed in docs/migration.md):
 * - Routes: OPTIONS and every JSON response carry X-Request-Id and security headers, errors a
 *   `requestId` (docs/api.md). Exact `/api/v2` (no slash) goes to the passthrough (original: 404).
 *   `POST /api/v1/ai/<unknown>` is 404 "Route not found" at once, without the credential,
 *   rate-limit and body steps (no KV read, no bucket for a path nobody calls).
 * - Every POST, disconnect included, needs a JSON content type and a same-site Origin (docs/api.md). The
 *   content type is the media type `application/json` exactly (original: header *contains* it).
 * - Body: over 128 KiB is 413 `BAD_REQUEST` "Request body too large" and invalid JSON 400
 *   "Invalid JSON body", as the original; a non-object JSON body is 400 (original: passed on to
 *   field validation, which then fails anyway).
 * - Timestamps (`createdAt`, `expiresAt`, `updatedAt`, `connectedAt`) are epoch milliseconds in KV
 *   records and responses, as the original; ISO-8601 strings are still read.
 * - Status: a corrupt record reads as disconnected (original: 500); an expired or unreadable
 *   device record also clears the cookie. With a usable secret status opens the record (so a
 *   record no secret opens reads as disconnected); without one it reports the record's shape.
 * - Connect also deletes the device session its cookie named (hygiene after a new session).
 * - Disconnect with a verified user also deletes the device session and clears the cookie (issue 15).
 * - Bearer parsing: `Bearer <one token>` only (a value with inner spaces is no token). jose
 *   verifies (docs/api.md): it may fetch the JWKS for a token without `kid`, refetches on an unknown `kid`
 *   with a 30 s cooldown, caches 10 min (original 5 min: fewer fetches, never more), sends jose's
 *   Accept header; `exp` is required; a JWKS failure is remembered 30 s (issue 15).
 * - `ALLOW_INSECURE_DEV_AUTH` is `true` case-insensitively after trimming (original: exact string);
 *   "local" is the isLocalRequest rule, not the URL hostname alone (issue 15).
 * - Cookie: `Secure` dropped only over plain http (docs/api.md); a duplicate `pb_ai_session` means no
 *   session (issue 15; original: the last wins); a malformed percent-escape is no session
 *   (original: 500); session ids are bounded to 128 URL-safe ASCII characters.
 * - Records: v2 format with key id and AAD (docs/api.md); a rollback to the original cannot open
 *   them (docs/migration.md). New records are sealed with the trimmed secret;
 *   legacy records also open with the untrimmed one, as the original sealed them.
 * - Re-seal TTL is the remaining lifetime rounded up, at least KV's 60 s (original: floor, ≤ 0 a failure).
 * - A v2 record whose key id names neither configured secret is kept, not deleted (issue 14).
 * - Logging: JSON lines with ids and reasons only (original: none).
 * - config:check (h-deploy's scripts): NODE_ENV unset means production rules (original script:
 *   development); booleans there are `true` only.
 */
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkDeploymentConfig, checkRuntimeSecret, checkSecret } from "../src/config";
import worker, { handleRequest } from "../src/index";
import { metrics, resetMetrics } from "../src/metrics";
import { resetControlPlaneFallback } from "../src/control-plane-client";
import type { LabNetwork } from "../../fault-lab/src/adapters/msw";
import { geminiReply } from "../../fault-lab/src/fakes/gemini-wire";
import {
  bearer,
  clerkEnv,
  connectRequest,
  countingKv,
  createSigningKey,
  disconnectRequest,
  GEMINI_ROUTE,
  installProviderLab,
  jwksEndpoint,
  manualDeps,
  signToken,
  statusRequest,
  unsignedToken,
  type SigningKey,
} from "./auth-helpers";
import { makeEnv, TEST_SECRET, TEST_SECRET_PREV } from "./fakes";

const JWKS_URL = "https://clerk.pocketbrain.test/compat/jwks.json";
const API_KEY = "AIzaSyCompatAuthKey0123456789";
const server = setupServer();
let network: LabNetwork;
const providerCalls = (): number => network.seenBy("gemini").length;
let signer: SigningKey;

beforeAll(async () => {
  signer = await createSigningKey("kid-compat");
  server.listen({ onUnhandledRequest: "error" });
});
beforeEach(() => {
  resetMetrics();
  resetControlPlaneFallback();
  network = installProviderLab(server);
  server.use(jwksEndpoint(JWKS_URL, [signer]).handler);
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

type Json = Record<string, unknown> & { error?: { code: string; message: string } };
const json = async (response: Response): Promise<Json> => (await response.json()) as Json;
const encoder = new TextEncoder();

/** A record exactly as the original worker wrote it: key SHA-256(secret), no AAD, no version tag. */
async function originalRecord(apiKey: string, secret: string, now: number): Promise<string> {
  const key = await crypto.subtle.importKey("raw", await crypto.subtle.digest("SHA-256", encoder.encode(secret)), "AES-GCM", false, ["encrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, encoder.encode(apiKey)));
  const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
  return JSON.stringify({ provider: "gemini", encryptedApiKey: JSON.stringify({ iv: b64(iv), data: b64(data) }), createdAt: now, expiresAt: now + 86_400_000 });
}

const aiRequest = (headers: Record<string, string>, body: unknown = { content: "buy milk" }, origin = "http://127.0.0.1:8787") =>
  new Request(`${origin}/api/v1/ai/analyze`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

describe("the runtime encryption-secret rule is the original's", () => {
  it.each([
    ["", false, "missing"],
    ["   ", false, "missing"],
    ["replace-with-a-long-random-secret", false, "placeholder"],
    ["this-is-your-own-secret-value-0000", false, "placeholder"],
    ["an-EXAMPLE-secret-that-is-long-enough", false, "placeholder"],
    ["0123456789abcdef0123456789abcdef", false, "placeholder"],
    [" FEDCBA9876543210FEDCBA9876543210 ", false, "placeholder"],
    ["Zq4mW1xT6vN3pK9bZq4mW1xT6vN3pK9", false, "too_short"],
    ["Zq4mW1xT6vN3pK9", true, "too_short"],
  ])("%j (dev %s) is unusable: %s", (secret, dev, reason) => {
    expect(checkRuntimeSecret(secret, dev)).toEqual({ ok: false, reason });
  });

  it.each([
    ["a".repeat(32), false],
    ["0123456789abcdef0123456789abcdef-and-more", false],
    ["changeme-changeme-changeme-changeme", false],
    ["Zq4mW1xT6vN3pK9b", true],
  ])("%j (dev %s) is accepted at runtime but refused by the strict deploy rule", (secret, dev) => {
    expect(checkRuntimeSecret(secret, dev).ok).toBe(true);
    expect(checkSecret(secret, dev).ok).toBe(dev && secret === "Zq4mW1xT6vN3pK9b");
  });

  it("config:check:worker fails a production config on the strict heuristics, not a development one", () => {
    const production = checkDeploymentConfig({ NODE_ENV: "production", KEY_ENCRYPTION_SECRET: "a".repeat(40), KEY_ENCRYPTION_SECRET_PREV: "deadbeef".repeat(5) });
    expect(production.filter((p) => p.variable.startsWith("KEY_ENCRYPTION_SECRET")).map((p) => p.variable)).toEqual(["KEY_ENCRYPTION_SECRET", "KEY_ENCRYPTION_SECRET_PREV"]);
    expect(JSON.stringify(production)).not.toContain("a".repeat(40));
    const development = checkDeploymentConfig({ NODE_ENV: "development", KEY_ENCRYPTION_SECRET: "a".repeat(40) });
    expect(development.filter((p) => p.variable === "KEY_ENCRYPTION_SECRET")).toEqual([]);
  });

  it("a repeated-character secret works at runtime: connect and an AI call succeed", async () => {
    const env = makeEnv({ KEY_ENCRYPTION_SECRET: "z".repeat(32) });
    const connected = await worker.fetch(connectRequest({ provider: "gemini", apiKey: API_KEY }), env);
    expect(connected.status).toBe(200);
  });
});

describe("a bad secret answers as the original, and only on connect and /api/v1/ai/*", () => {
  const bad = () => makeEnv({ KEY_ENCRYPTION_SECRET: "replace-with-32-byte-secret", VPS_API_ORIGIN: "" });
  const cookie = "pb_ai_session=6b0f7d2a-4c1e-4f8b-9a3d-2e5c7f9b1d40";

  it.each([
    ["connect", () => connectRequest({ provider: "gemini", apiKey: API_KEY })],
    ["ai/analyze", () => aiRequest({ cookie })],
  ])("%s → 500 INTERNAL_ERROR, counted, no KV and no provider call", async (_name, request) => {
    const env = bad();
    const kv = countingKv(env.AI_SESSIONS);
    env.AI_SESSIONS = kv;
    const response = await worker.fetch(request(), env);
    expect(response.status).toBe(500);
    expect((await json(response)).error).toMatchObject({ code: "INTERNAL_ERROR", message: "AI proxy encryption secret is not configured", retryable: false });
    expect(metrics.runtimeConfig.invalidEncryptionSecret).toBe(1);
    expect([kv.calls, providerCalls()]).toEqual([[], 0]);
  });

  it.each([
    ["status", () => statusRequest({ cookie }), 200],
    ["disconnect", () => disconnectRequest({ cookie }), 200],
    ["metrics", () => new Request("http://127.0.0.1/api/v1/metrics"), 200],
    ["/api/v2", () => new Request("http://127.0.0.1/api/v2/sync/pull"), 503],
  ])("%s never checks it", async (_name, request, expected) => {
    const response = await worker.fetch(request(), bad());
    expect(response.status).toBe(expected);
    expect(metrics.runtimeConfig.invalidEncryptionSecret).toBe(0);
  });

  it("status still reports a stored session without a usable secret (shape only, nothing deleted)", async () => {
    const env = makeEnv();
    const connected = await worker.fetch(connectRequest({ provider: "gemini", apiKey: API_KEY }), env);
    const sessionCookie = connected.headers.get("set-cookie")!.split(";")[0]!;
    const response = await worker.fetch(statusRequest({ cookie: sessionCookie }), { ...bad(), AI_SESSIONS: env.AI_SESSIONS });
    expect(await json(response)).toMatchObject({ connected: true, provider: "gemini", scope: "device" });
    expect(env.AI_SESSIONS.entries.size).toBe(1);
  });

  it("an invalid KEY_ENCRYPTION_SECRET_PREV is counted once the active secret fails to open a record", async () => {
    const deps = manualDeps();
    const env = makeEnv({ KEY_ENCRYPTION_SECRET_PREV: "replace-with-32-byte-secret" }, deps.now);
    await env.AI_SESSIONS.put("session:orig-1", await originalRecord(API_KEY, TEST_SECRET_PREV, deps.now()));
    const response = await handleRequest(aiRequest({ cookie: "pb_ai_session=orig-1" }), env, deps);
    expect(response.status).toBe(403);
    expect(metrics.runtimeConfig.invalidRotationSecret).toBe(1);
    expect(metrics.secretRotation.invalidRotationSecret).toBe(1);
  });
});

describe("a session cookie of the original's shape is looked up", () => {
  it.each(["session-123", "3F1C2B9E-8A7D-4C6B-9E5F-0A1B2C3D4E5F", "legacy_id.v1~x"])("pb_ai_session=%s reads the original's record", async (id) => {
    const deps = manualDeps();
    const env = makeEnv({}, deps.now);
    await env.AI_SESSIONS.put(`session:${id}`, await originalRecord(API_KEY, TEST_SECRET, deps.now()));
    const status = await handleRequest(statusRequest({ cookie: `pb_ai_session=${encodeURIComponent(id)}` }), env, deps);
    expect(await json(status)).toMatchObject({ connected: true, provider: "gemini", scope: "device" });
    const ai = await handleRequest(aiRequest({ cookie: `pb_ai_session=${id}` }), env, deps);
    expect([ai.status, providerCalls()]).toEqual([200, 1]);
  });

  it.each(["a/b", "x".repeat(129), "..", "a%00b", "caf%C3%A9"])("pb_ai_session=%s is no session: no KV read", async (value) => {
    const env = makeEnv();
    const kv = countingKv(env.AI_SESSIONS);
    env.AI_SESSIONS = kv;
    const response = await worker.fetch(statusRequest({ cookie: `pb_ai_session=${value}` }), env);
    expect(await json(response)).toEqual({ connected: false, scope: "device" });
    expect(kv.calls).toEqual([]);
  });

  it("the Worker still mints UUIDs", async () => {
    const response = await worker.fetch(connectRequest({ provider: "gemini", apiKey: API_KEY }), makeEnv());
    expect(response.headers.get("set-cookie")).toMatch(/^pb_ai_session=[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12};/);
  });
});

describe("a bearer without any Clerk config", () => {
  const token = unsignedToken({ sub: "user_dev" });
  it.each([
    ["insecure dev auth off", {}, "http://127.0.0.1:8787"],
    ["insecure dev auth on, public host", { ALLOW_INSECURE_DEV_AUTH: "true" }, "https://pb.example.org"],
    ["insecure dev auth on, loopback host naming a public client IP", { ALLOW_INSECURE_DEV_AUTH: "true" }, "http://127.0.0.1:8787"],
  ])("%s → 500 AUTH_CONFIG_INVALID, missingClerkConfig counted", async (_name, overrides, origin) => {
    const headers = { ...bearer(token), ...(origin.startsWith("http://127") && "ALLOW_INSECURE_DEV_AUTH" in overrides ? { "cf-connecting-ip": "203.0.113.5" } : {}) };
    const response = await worker.fetch(statusRequest(headers, origin), makeEnv(overrides));
    expect([response.status, (await json(response)).error?.code]).toEqual([500, "AUTH_CONFIG_INVALID"]);
    expect(metrics.authConfig.missingClerkConfig).toBe(1);
  });

  it("insecure dev auth on a local request gives the account scope, with NODE_ENV unset", async () => {
    const response = await worker.fetch(statusRequest(bearer(token)), makeEnv({ ALLOW_INSECURE_DEV_AUTH: "true", NODE_ENV: undefined }));
    expect(await json(response)).toEqual({ connected: false, scope: "account" });
  });

  it("a partial Clerk config fails even with insecure dev auth on, with the original's message", async () => {
    const response = await worker.fetch(statusRequest(bearer(token)), makeEnv({ ALLOW_INSECURE_DEV_AUTH: "true", CLERK_ISSUER: "https://clerk.example.dev" }));
    expect((await json(response)).error).toMatchObject({ code: "AUTH_CONFIG_INVALID", message: "CLERK_JWKS_URL, CLERK_ISSUER, and CLERK_AUDIENCE must be set together." });
    expect(metrics.authConfig.partialClerkConfig).toBe(1);
  });

  it("an http JWKS URL off loopback names the variable", async () => {
    const env = makeEnv({ ...clerkEnv("http://jwks.example.dev/jwks.json") });
    const response = await worker.fetch(statusRequest(bearer(token)), env);
    expect((await json(response)).error).toMatchObject({ code: "AUTH_CONFIG_INVALID", message: "CLERK_JWKS_URL must use https:// outside loopback hosts." });
    expect(metrics.authConfig.invalidClerkConfig).toBe(1);
  });
});

describe("credential resolution on /api/v1/ai/*", () => {
  it("a signed-in user without an account record uses the device cookie (the original's fallback)", async () => {
    const deps = manualDeps();
    const env = makeEnv(clerkEnv(JWKS_URL), deps.now);
    await env.AI_SESSIONS.put("session:dev-1", await originalRecord(API_KEY, TEST_SECRET, deps.now()));
    const token = await signToken(signer, { sub: "user_noaccount", nowMs: deps.now() });
    const response = await handleRequest(aiRequest({ ...bearer(token), cookie: "pb_ai_session=dev-1" }), env, deps);
    expect([response.status, providerCalls()]).toEqual([200, 1]);
  });

  it("credential errors come before the body: no session and an invalid body is 401, not 400", async () => {
    const request = new Request("http://127.0.0.1:8787/api/v1/ai/analyze", { method: "POST", headers: { "content-type": "application/json" }, body: "{oops" });
    const response = await worker.fetch(request, makeEnv());
    expect((await json(response)).error).toMatchObject({ code: "AUTH_REQUIRED", message: "Connect an AI key in Settings to enable AI features." });
  });

  it("a cookie with no stored session is 401 'AI session missing', with one KV read", async () => {
    const env = makeEnv();
    const kv = countingKv(env.AI_SESSIONS);
    env.AI_SESSIONS = kv;
    const response = await worker.fetch(aiRequest({ cookie: "pb_ai_session=6b0f7d2a-4c1e-4f8b-9a3d-2e5c7f9b1d40" }), env);
    expect((await json(response)).error).toMatchObject({ code: "AUTH_REQUIRED", message: "AI session missing. Please reconnect your key." });
    expect(kv.calls).toEqual(["get session:6b0f7d2a-4c1e-4f8b-9a3d-2e5c7f9b1d40"]);
  });
});

describe("records the original wrote", () => {
  it("a legacy record sealed with the untrimmed active secret still opens (the original did not trim it)", async () => {
    const deps = manualDeps();
    const padded = `  ${TEST_SECRET}\n`;
    const env = makeEnv({ KEY_ENCRYPTION_SECRET: padded }, deps.now);
    await env.AI_SESSIONS.put("session:padded-1", await originalRecord(API_KEY, padded, deps.now()));
    const response = await handleRequest(aiRequest({ cookie: "pb_ai_session=padded-1" }), env, deps);
    expect([response.status, providerCalls()]).toEqual([200, 1]);
    expect(metrics.secretRotation).toMatchObject({ legacyDecrypts: 1, reencryptSuccesses: 1 });
  });

  it("an unparsable session record is deleted and answers the original's 'AI session is invalid'", async () => {
    const env = makeEnv();
    await env.AI_SESSIONS.put("session:broken-1", "{not json");
    const response = await worker.fetch(aiRequest({ cookie: "pb_ai_session=broken-1" }), env);
    expect((await json(response)).error).toMatchObject({ code: "AUTH_EXPIRED", message: "AI session is invalid. Reconnect your key to continue." });
    expect(env.AI_SESSIONS.entries.has("session:broken-1")).toBe(false);
  });

  it("a session record without expiresAt or createdAt is expired, as the original treats it: deleted, 403 AUTH_EXPIRED", async () => {
    const env = makeEnv();
    const record = JSON.parse(await originalRecord(API_KEY, TEST_SECRET, Date.now())) as Record<string, unknown>;
    delete record.expiresAt;
    delete record.createdAt;
    await env.AI_SESSIONS.put("session:timeless-1", JSON.stringify(record));
    const response = await worker.fetch(aiRequest({ cookie: "pb_ai_session=timeless-1" }), env);
    expect([response.status, providerCalls()]).toEqual([403, 0]);
    expect((await json(response)).error).toMatchObject({ code: "AUTH_EXPIRED", message: "AI session expired. Reconnect your key to continue." });
    expect(env.AI_SESSIONS.entries.has("session:timeless-1")).toBe(false);
  });

  it("an unparsable account record counts as absent: the signed-in user falls back to the device cookie", async () => {
    const deps = manualDeps();
    const env = makeEnv(clerkEnv(JWKS_URL), deps.now);
    await env.AI_SESSIONS.put("account:user_broken", "{not json");
    await env.AI_SESSIONS.put("session:dev-2", await originalRecord(API_KEY, TEST_SECRET, deps.now()));
    const token = await signToken(signer, { sub: "user_broken", nowMs: deps.now() });
    const response = await handleRequest(aiRequest({ ...bearer(token), cookie: "pb_ai_session=dev-2" }), env, deps);
    expect([response.status, providerCalls()]).toEqual([200, 1]);
    expect(env.AI_SESSIONS.entries.has("account:user_broken")).toBe(false);
  });
});

describe("connect checks in the original's order", () => {
  const exhaust = async (env: ReturnType<typeof makeEnv>, headers: Record<string, string>) => {
    for (let i = 0; i < 45; i += 1) await worker.fetch(connectRequest("{}", { headers }), env);
  };
  const code = async (response: Response) => [response.status, (await json(response)).error?.code ?? "ok"];

  it("415 before the secret", async () => {
    const request = new Request("http://127.0.0.1:8787/api/v1/auth/connect", { method: "POST", headers: { "content-type": "text/plain" }, body: "x" });
    expect(await code(await worker.fetch(request, makeEnv({ KEY_ENCRYPTION_SECRET: "" })))).toEqual([415, "BAD_REQUEST"]);
  });

  it("the secret before the auth config", async () => {
    const response = await worker.fetch(connectRequest({}, { headers: bearer(unsignedToken({ sub: "u" })) }), makeEnv({ KEY_ENCRYPTION_SECRET: "" }));
    expect(await code(response)).toEqual([500, "INTERNAL_ERROR"]);
  });

  it("the auth config before the rate limit, the rate limit before the body", async () => {
    const env = makeEnv();
    const ip = { "cf-connecting-ip": "203.0.113.40" };
    await exhaust(env, ip);
    expect(await code(await worker.fetch(connectRequest("{oops", { headers: { ...ip, ...bearer(unsignedToken({ sub: "u" })) } }), env))).toEqual([500, "AUTH_CONFIG_INVALID"]);
    expect(await code(await worker.fetch(connectRequest("{oops", { headers: ip }), env))).toEqual([429, "RATE_LIMITED"]);
  });

  it("body → provider → key → validation → store", async () => {
    const env = makeEnv();
    expect(await code(await worker.fetch(connectRequest("{oops"), env))).toEqual([400, "BAD_REQUEST"]);
    const noProvider = await worker.fetch(connectRequest({ provider: "openai", apiKey: "" }), env);
    expect((await json(noProvider)).error?.message).toBe("Provider must be gemini or openrouter");
    const noKey = await worker.fetch(connectRequest({ provider: "gemini", apiKey: "  " }), env);
    expect((await json(noKey)).error?.message).toBe("API key is required.");
    expect(providerCalls()).toBe(0);
    network.addRules({ route: GEMINI_ROUTE, server: "gemini", faults: [{ kind: "status", status: 200, body: geminiReply("nope"), times: 1 }] });
    const refused = await worker.fetch(connectRequest({ provider: "gemini", apiKey: API_KEY }), env);
    expect((await json(refused)).error).toMatchObject({ code: "AUTH_REQUIRED", message: "API key validation failed" });
    expect([providerCalls(), env.AI_SESSIONS.writes.length]).toEqual([1, 0]);
    expect((await worker.fetch(connectRequest({ provider: "gemini", apiKey: API_KEY }), env)).status).toBe(200);
    expect(env.AI_SESSIONS.writes.length).toBe(1);
  });

  it("a KV outage on the store is 503 with the original's message", async () => {
    const env = makeEnv();
    env.AI_SESSIONS.failing = true;
    const response = await worker.fetch(connectRequest({ provider: "gemini", apiKey: API_KEY }), env);
    expect((await json(response)).error).toMatchObject({ code: "SERVICE_UNAVAILABLE", message: "Session storage is temporarily unavailable. Please retry shortly." });
    expect(providerCalls()).toBe(1);
  });
});
