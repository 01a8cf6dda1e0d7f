/**
 * Client isolation, auth side (issue 15): each attack's exact request, the safe coded answer, and
 * the honest traffic beside it unaffected.
 */
import fc from "fast-check";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { resetControlPlaneFallback } from "../src/control-plane-client";
import { realDeps } from "../src/deps";
import worker, { createIsolateState, handleRequest } from "../src/index";
import { metrics, resetMetrics } from "../src/metrics";
import { isLocalRequest, isLoopbackIp } from "../src/net";
import type { LabNetwork } from "../../fault-lab/src/adapters/msw";
import {
  bearer,
  clerkEnv,
  connectRequest,
  countingKv,
  createSigningKey,
  disconnectRequest,
  installProviderLab,
  jwksEndpoint,
  manualDeps,
  signToken,
  statusRequest,
  unsignedToken,
  type SigningKey,
} from "./auth-helpers";
import { createControlPlaneNamespace } from "./control-plane-harness";
import { makeEnv, TEST_SECRET, TEST_SECRET_PREV } from "./fakes";

const API_KEY = "AIzaSyAttackAuthHonestKey01234";
const server = setupServer();
let network: LabNetwork;
const providerCalls = (): number => network.seenBy("gemini").length;
let signer: SigningKey;

beforeAll(async () => {
  signer = await createSigningKey("kid-attacks");
  server.listen({ onUnhandledRequest: "error" });
});
beforeEach(() => {
  resetMetrics();
  resetControlPlaneFallback();
  network = installProviderLab(server);
});
afterEach(() => {
  server.resetHandlers();
  vi.restoreAllMocks();
});
afterAll(() => server.close());

type Json = Record<string, unknown> & { error?: { code: string; message: string } };
const json = async (response: Response): Promise<Json> => (await response.json()) as Json;
const cookieOf = (response: Response): string => response.headers.get("set-cookie")!.split(";")[0]!;
const aiRequest = (headers: Record<string, string>, origin = "http://127.0.0.1:8787") =>
  new Request(`${origin}/api/v1/ai/search`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query: "milk?" }) });

describe("finding 1: a hostile apiKey is refused before any provider call", () => {
  it.each([
    ["a NUL byte", "AIzaSy\u0000evil"],
    ["a control character", "AIzaSy\u0007evil"],
    ["an inner space", "AIzaSy evil"],
    ["a tab", "AIzaSy\tevil"],
    ["non-ASCII", "AIzaSyévil"],
    ["a DEL", "AIzaSy\u007fevil"],
  ])("%s → 400 BAD_REQUEST naming apiKey; no provider call, no breaker move, nothing stored", async (_name, apiKey) => {
    const env = makeEnv();
    for (let i = 0; i < 5; i += 1) {
      const response = await worker.fetch(connectRequest({ provider: "gemini", apiKey }), env);
      expect(response.status).toBe(400);
      expect((await json(response)).error).toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("apiKey") });
    }
    expect([providerCalls(), metrics.metrics.circuitOpens, env.AI_SESSIONS.writes.length]).toEqual([0, 0, 0]);
    const honest = await worker.fetch(connectRequest({ provider: "gemini", apiKey: API_KEY }), env);
    expect([honest.status, providerCalls()]).toEqual([200, 1]);
  });

  it("accepts surrounding whitespace (trimmed) and every printable ASCII character", async () => {
    const printable = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join("");
    const response = await worker.fetch(connectRequest({ provider: "gemini", apiKey: `  ${printable}\n` }), makeEnv());
    expect(response.status).toBe(200);
  });
});

describe("finding 3: a made-up cookie is not a rate-limit identity", () => {
  const ip = { "cf-connecting-ip": "203.0.113.77" };

  it("60 connects from one IP with fresh random cookies get 429 after 45, in one bucket", async () => {
    const env = makeEnv();
    const namespace = createControlPlaneNamespace(env);
    env.CONTROL_PLANE_DO = namespace;
    const statuses: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      const response = await worker.fetch(connectRequest({}, { headers: { ...ip, cookie: `pb_ai_session=${crypto.randomUUID()}` } }), env);
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 45).every((status) => status === 400)).toBe(true);
    expect(statuses.slice(45).every((status) => status === 429)).toBe(true);
    expect(namespace.instances()).toBe(1);
  });

  it("AI calls with bogus cookies cost one KV read each, answer 401 and create no bucket; an honest session beside them is served", async () => {
    const env = makeEnv();
    const namespace = createControlPlaneNamespace(env);
    env.CONTROL_PLANE_DO = namespace;
    const honestCookie = cookieOf(await worker.fetch(connectRequest({ provider: "gemini", apiKey: API_KEY }, { headers: ip }), env));
    const before = namespace.instances();
    const kv = countingKv(env.AI_SESSIONS);
    env.AI_SESSIONS = kv;
    for (let i = 0; i < 60; i += 1) {
      const response = await worker.fetch(aiRequest({ ...ip, cookie: `pb_ai_session=${crypto.randomUUID()}` }), env);
      expect(response.status).toBe(401);
    }
    expect(kv.calls.length).toBe(60);
    expect(kv.calls.every((call) => call.startsWith("get session:"))).toBe(true);
    expect(namespace.instances()).toBe(before);
    const callsBefore = providerCalls();
    const honest = await worker.fetch(aiRequest({ ...ip, cookie: honestCookie }), env);
    expect([honest.status, providerCalls() - callsBefore]).toEqual([200, 1]);
  });
});

describe("finding 4: 'local' is one pure rule", () => {
  it.each([
    ["127.0.0.1", null, null, true],
    ["localhost", null, null, true],
    ["[::1]", "::1", null, true],
    ["127.0.0.1", "127.0.0.1", "127.0.0.2", true],
    ["127.0.0.1", "203.0.113.9", null, false],
    ["localhost", null, "203.0.113.9, 127.0.0.1", false],
    ["127.0.0.1", null, "127.0.0.1, 203.0.113.9", true],
    ["127.0.0.1", "not-an-ip", null, false],
    ["127.0.0.1", "  ", null, true],
    ["pb.example.org", "127.0.0.1", null, false],
    ["pb.example.org", null, "127.0.0.1", false],
    ["pb.example.org", null, null, false],
  ])("host %s, cf-connecting-ip %j, x-forwarded-for %j → %s", (hostname, cfConnectingIp, forwardedFor, expected) => {
    expect(isLocalRequest(hostname, { cfConnectingIp, forwardedFor })).toBe(expected);
  });

  it("never calls a request local when it names a non-loopback client IP, whatever its host", () => {
    const ipv4 = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.nat(255), fc.nat(255), fc.nat(255)).map((parts) => parts.join("."));
    fc.assert(
      fc.property(fc.constantFrom("127.0.0.1", "localhost", "[::1]", "pb.example.org"), ipv4, fc.boolean(), (host, ip, viaForwarded) => {
        fc.pre(!isLoopbackIp(ip));
        const ips = viaForwarded ? { cfConnectingIp: null, forwardedFor: `${ip}, 127.0.0.1` } : { cfConnectingIp: ip, forwardedFor: null };
        expect(isLocalRequest(host, ips)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  const spoof = { "cf-connecting-ip": "203.0.113.9" };
  it("metrics: a loopback host naming a public client IP, or a public host with a client-supplied loopback IP, is 404; honest local is 200 with NODE_ENV unset", async () => {
    const env = makeEnv({ NODE_ENV: undefined });
    expect((await worker.fetch(new Request("http://127.0.0.1/api/v1/metrics", { headers: spoof }), env)).status).toBe(404);
    expect((await worker.fetch(new Request("http://127.0.0.1/api/v1/metrics", { headers: { "x-forwarded-for": "198.51.100.4" } }), env)).status).toBe(404);
    expect((await worker.fetch(new Request("https://pb.example.org/api/v1/metrics", { headers: { "cf-connecting-ip": "127.0.0.1" } }), env)).status).toBe(404);
    expect((await worker.fetch(new Request("http://127.0.0.1/api/v1/metrics"), env)).status).toBe(200);
  });

  it("/__dev/ needs NODE_ENV development/test and a local request", async () => {
    expect((await worker.fetch(new Request("http://127.0.0.1/__dev/"), makeEnv({ NODE_ENV: undefined }))).status).toBe(404);
    expect((await worker.fetch(new Request("http://127.0.0.1/__dev/", { headers: spoof }), makeEnv())).status).toBe(404);
    expect((await worker.fetch(new Request("http://127.0.0.1/__dev/"), makeEnv())).status).toBe(200);
  });

  it("the loopback Origin allowance needs a local request", async () => {
    const origin = { origin: "http://localhost:5173" };
    expect((await worker.fetch(connectRequest("{oops", { headers: { ...origin, ...spoof } }), makeEnv())).status).toBe(403);
    expect((await worker.fetch(connectRequest("{oops", { headers: origin }), makeEnv())).status).toBe(400);
  });

  it("insecure dev auth needs a local request (NODE_ENV unset is fine)", async () => {
    const token = unsignedToken({ sub: "dev_user" });
    const env = makeEnv({ ALLOW_INSECURE_DEV_AUTH: "true", NODE_ENV: undefined, ...clerkEnv("https://clerk.pocketbrain.test/attacks-insecure.json") });
    server.use(jwksEndpoint("https://clerk.pocketbrain.test/attacks-insecure.json", [signer]).handler);
    expect(await json(await worker.fetch(statusRequest({ ...bearer(token), ...spoof }), env))).toEqual({ connected: false, scope: "device" });
    expect(await json(await worker.fetch(statusRequest(bearer(token)), env))).toEqual({ connected: false, scope: "account" });
  });

  it("logs one warning per isolate while insecure dev auth is on outside development, naming no secret", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const env = makeEnv({ ALLOW_INSECURE_DEV_AUTH: "true", NODE_ENV: "production", KEY_ENCRYPTION_SECRET: `${TEST_SECRET}-production-grade` });
    const status = () => new Request("http://127.0.0.1/api/v1/auth/status");
    const warnings = () => warn.mock.calls.map((call) => String(call[0])).filter((line) => line.includes("insecure_dev_auth_enabled"));
    const isolate = createIsolateState();
    for (let i = 0; i < 3; i += 1) await handleRequest(status(), env, realDeps, undefined, isolate);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).not.toContain(TEST_SECRET);
    // Another isolate warns once of its own.
    await handleRequest(status(), env, realDeps, undefined, createIsolateState());
    expect(warnings()).toHaveLength(2);
    warn.mockClear();
    await handleRequest(status(), makeEnv({ ALLOW_INSECURE_DEV_AUTH: "true" }), realDeps, undefined, createIsolateState());
    expect(warnings()).toHaveLength(0);
  });
});

describe("finding 6: a failing JWKS endpoint is remembered as failed for 30 s", () => {
  it("10 bearer requests → 1 fetch; after the window one more fetch, and a recovered endpoint verifies again", async () => {
    const url = "https://clerk.pocketbrain.test/attacks-failing-jwks.json";
    const jwks = jwksEndpoint(url, [signer]);
    jwks.failWith(503);
    server.use(jwks.handler);
    const deps = manualDeps(Date.now());
    const env = makeEnv(clerkEnv(url));
    const token = await signToken(signer, { sub: "user_jwks", nowMs: deps.now() });
    for (let i = 0; i < 10; i += 1) {
      const response = await handleRequest(statusRequest(bearer(token)), env, deps);
      expect(await json(response)).toEqual({ connected: false, scope: "device" });
    }
    expect(jwks.fetches()).toBe(1);
    expect(metrics.authConfig.jwksFetchFailures).toBe(10);
    deps.advance(29_000);
    await handleRequest(statusRequest(bearer(token)), env, deps);
    expect(jwks.fetches()).toBe(1);
    jwks.failWith(null);
    deps.advance(1_001);
    expect(await json(await handleRequest(statusRequest(bearer(token)), env, deps))).toEqual({ connected: false, scope: "account" });
    expect(jwks.fetches()).toBe(2);
  });
});

describe("finding 7: two session cookies mean no session (cookie tossing)", () => {
  it("a planted sibling cookie beside the victim's makes status and AI device-anonymous; KV untouched", async () => {
    const env = makeEnv();
    const victim = cookieOf(await worker.fetch(connectRequest({ provider: "gemini", apiKey: API_KEY }), env));
    const tossed = `pb_ai_session=attacker-session-id; ${victim}`;
    const kv = countingKv(env.AI_SESSIONS);
    env.AI_SESSIONS = kv;
    expect(await json(await worker.fetch(statusRequest({ cookie: tossed }), env))).toEqual({ connected: false, scope: "device" });
    const ai = await worker.fetch(aiRequest({ cookie: tossed }), env);
    const error = (await json(ai)).error;
    expect([ai.status, error?.code]).toEqual([401, "AUTH_REQUIRED"]);
    expect(error?.message).toContain("pb_ai_session cookie was sent more than once");
    expect(kv.calls).toEqual([]);
    const callsBefore = providerCalls();
    const honest = await worker.fetch(aiRequest({ cookie: victim }), env);
    expect([honest.status, providerCalls() - callsBefore]).toEqual([200, 1]);
  });
});

describe("finding 8a: disconnect with a verified user clears both", () => {
  it("deletes the account record and the device session, and clears the cookie", async () => {
    const url = "https://clerk.pocketbrain.test/attacks-disconnect.json";
    server.use(jwksEndpoint(url, [signer]).handler);
    const env = makeEnv(clerkEnv(url));
    const device = cookieOf(await worker.fetch(connectRequest({ provider: "gemini", apiKey: API_KEY }), env));
    const token = await signToken(signer, { sub: "user_both" });
    expect((await worker.fetch(connectRequest({ provider: "gemini", apiKey: API_KEY }, { headers: bearer(token) }), env)).status).toBe(200);
    expect(env.AI_SESSIONS.entries.size).toBe(2);
    const response = await worker.fetch(disconnectRequest({ ...bearer(token), cookie: device }), env);
    expect(await json(response)).toEqual({ connected: false, scope: "account" });
    expect(response.headers.get("set-cookie")).toMatch(/^pb_ai_session=; .*Max-Age=0/);
    expect(env.AI_SESSIONS.entries.size).toBe(0);
    expect((await worker.fetch(aiRequest({ cookie: device }), env)).status).toBe(401);
  });
});

describe("issue 14: a record under an unconfigured key id is a configuration error, not garbage", () => {
  it("a wrong PREV deletes nothing (403, counted); fixing the config serves the record again", async () => {
    const env = makeEnv({ KEY_ENCRYPTION_SECRET: TEST_SECRET_PREV });
    const cookie = cookieOf(await worker.fetch(connectRequest({ provider: "gemini", apiKey: API_KEY }), env));
    const misconfigured = { ...env, KEY_ENCRYPTION_SECRET: TEST_SECRET, KEY_ENCRYPTION_SECRET_PREV: "wrong-previous-secret-value-0000001" };
    const refused = await worker.fetch(aiRequest({ cookie }), misconfigured);
    expect([refused.status, (await json(refused)).error?.code]).toEqual([403, "AUTH_EXPIRED"]);
    expect(env.AI_SESSIONS.entries.size).toBe(1);
    expect(metrics.secretRotation.unknownKeyIdRecords).toBe(1);
    const callsBefore = providerCalls();
    const fixed = await worker.fetch(aiRequest({ cookie }), { ...env, KEY_ENCRYPTION_SECRET: TEST_SECRET, KEY_ENCRYPTION_SECRET_PREV: TEST_SECRET_PREV });
    expect([fixed.status, providerCalls() - callsBefore]).toEqual([200, 1]);
  });
});
