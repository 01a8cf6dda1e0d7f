import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import worker, { handleRequest } from "../src/index";
import { metrics, resetMetrics } from "../src/metrics";
import {
  bearer,
  clerkEnv,
  connectRequest,
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
import { makeEnv } from "./fakes";

const JWKS_URL = "https://clerk.pocketbrain.test/.well-known/jwks.json";
const COOKIE = "pb_ai_session=6b0f7d2a-4c1e-4f8b-9a3d-2e5c7f9b1d40";

let signer: SigningKey;
let stranger: SigningKey;
let jwks: ReturnType<typeof jwksEndpoint>;
const server = setupServer();

beforeAll(async () => {
  signer = await createSigningKey("kid-main");
  stranger = await createSigningKey("kid-main");
  jwks = jwksEndpoint(JWKS_URL, [signer]);
  server.listen({ onUnhandledRequest: "error" });
});
beforeEach(() => {
  resetMetrics();
  server.use(jwks.handler);
  installProviderLab(server);
});
afterEach(() => {
  server.resetHandlers();
  vi.useRealTimers();
});
afterAll(() => server.close());

type Json = Record<string, unknown> & { error?: { code: string; message: string } };
const status = async (headers: Record<string, string>, env = makeEnv(clerkEnv(JWKS_URL))) => {
  const response = await worker.fetch(statusRequest(headers), env);
  return { code: response.status, body: (await response.json()) as Json };
};

describe("verified Clerk users", () => {
  it("get the account scope and keep their key in an account record without a cookie", async () => {
    const env = makeEnv(clerkEnv(JWKS_URL));
    const token = await signToken(signer, { sub: "user_42" });
    expect((await status(bearer(token), env)).body).toEqual({ connected: false, scope: "account" });

    const connect = await worker.fetch(connectRequest({ provider: "openrouter", apiKey: "sk-or-v1-account-key-123456" }, { headers: bearer(token) }), env);
    const body = (await connect.json()) as Json;
    expect(body).toEqual({ connected: true, provider: "openrouter", scope: "account", connectedAt: expect.any(Number), updatedAt: body.connectedAt });
    expect(connect.headers.get("set-cookie")).toBeNull();
    const write = env.AI_SESSIONS.writes.at(-1)!;
    expect([write.key, write.expirationTtl]).toEqual(["account:user_42", undefined]);

    expect((await status(bearer(token), env)).body).toEqual({ connected: true, provider: "openrouter", scope: "account", connectedAt: body.connectedAt, updatedAt: body.connectedAt });
    const disconnect = await worker.fetch(disconnectRequest(bearer(token)), env);
    expect((await disconnect.json()) as Json).toEqual({ connected: false, scope: "account" });
    expect(env.AI_SESSIONS.entries.has("account:user_42")).toBe(false);
  });

  it("cache the JWKS per URL: many requests, one fetch", async () => {
    const before = jwks.fetches();
    for (let i = 0; i < 3; i += 1) await status(bearer(await signToken(signer, { sub: `user_${i}` })));
    expect(jwks.fetches() - before).toBeLessThanOrEqual(1);
  });
});

describe("tokens that fail verification fall back to the device scope, never a 500", () => {
  const nowSec = () => Math.floor(Date.now() / 1000);
  it.each<[string, () => Promise<string>]>([
    ["forged (signed by another key with the same kid)", () => signToken(stranger)],
    ["expired beyond the 30 s skew", () => signToken(signer, { exp: nowSec() - 31 })],
    ["for another audience", () => signToken(signer, { audience: "someone-else" })],
    ["from another issuer", () => signToken(signer, { issuer: "https://evil.example.net" })],
    ["without exp", () => signToken(signer, { exp: null })],
    ["without sub", () => signToken(signer, { sub: null })],
    ["with an empty sub", () => signToken(signer, { sub: "" })],
    ["unsigned (alg none)", async () => unsignedToken({ sub: "user_1", iss: "https://clerk.pocketbrain.test", aud: "pocketbrain-web", exp: nowSec() + 60 })],
    ["not a JWT at all", async () => "definitely-not-a-jwt"],
  ])("%s", async (_label, makeToken) => {
    const { code, body } = await status({ ...bearer(await makeToken()), cookie: COOKIE });
    expect([code, body]).toEqual([200, { connected: false, scope: "device" }]);
    expect(metrics.authConfig.invalidTokens).toBe(1);
  });

  it("accepts a token that expired within the 30 s clock tolerance (manual clock)", async () => {
    const deps = manualDeps();
    const token = await signToken(signer, { nowMs: deps.now(), exp: Math.floor(deps.now() / 1000) - 20 });
    const response = await handleRequest(statusRequest(bearer(token)), makeEnv(clerkEnv(JWKS_URL), deps.now), deps);
    expect((await response.json()) as Json).toEqual({ connected: false, scope: "account" });
  });

  it("counts an unreachable JWKS separately and still answers in device scope", async () => {
    const url = "https://clerk-down.pocketbrain.test/jwks.json";
    const unreachable = jwksEndpoint(url, [signer]);
    unreachable.failWith(502);
    server.use(unreachable.handler);
    const { code, body } = await status(bearer(await signToken(signer)), makeEnv(clerkEnv(url)));
    expect([code, body]).toEqual([200, { connected: false, scope: "device" }]);
    expect(metrics.authConfig).toMatchObject({ jwksFetchFailures: 1, invalidTokens: 0 });
  });

  it("refetches the JWKS for an unknown kid, but not again within the cooldown", async () => {
    const url = "https://clerk-rotating.pocketbrain.test/jwks.json";
    const rotating = jwksEndpoint(url, [signer]);
    const next = await createSigningKey("kid-next");
    server.use(rotating.handler);
    const env = makeEnv(clerkEnv(url));
    vi.useFakeTimers({ toFake: ["Date"] });
    expect((await status(bearer(await signToken(signer)), env)).body.scope).toBe("account");
    rotating.setKeys([signer, next]);
    const nextToken = await signToken(next);
    expect((await status(bearer(nextToken), env)).body.scope).toBe("device");
    expect(rotating.fetches()).toBe(1);
    vi.setSystemTime(Date.now() + 31_000);
    expect((await status(bearer(nextToken), env)).body.scope).toBe("account");
    expect(rotating.fetches()).toBe(2);
  });
});

describe("Clerk configuration", () => {
  it.each([
    ["partial", { CLERK_JWKS_URL: JWKS_URL }, "partialClerkConfig"],
    ["invalid (plain http to a public host)", { ...clerkEnv("http://clerk.pocketbrain.test/jwks.json") }, "invalidClerkConfig"],
  ] as const)("%s config with a bearer → 500 AUTH_CONFIG_INVALID", async (_label, overrides, counter) => {
    const response = await worker.fetch(statusRequest(bearer(await signToken(signer))), makeEnv(overrides));
    const body = (await response.json()) as Json;
    expect([response.status, body.error?.code]).toEqual([500, "AUTH_CONFIG_INVALID"]);
    expect(metrics.authConfig[counter]).toBe(1);
    expect(JSON.stringify(body)).not.toContain("eyJ");
  });

  it("partial config without a bearer is not an error (device scope)", async () => {
    expect((await status({ cookie: COOKIE }, makeEnv({ CLERK_ISSUER: "https://clerk.pocketbrain.test" }))).code).toBe(200);
  });

  it("no Clerk config with a bearer → 500 AUTH_CONFIG_INVALID, counted (the original's rule)", async () => {
    const { code, body } = await status(bearer(await signToken(signer)), makeEnv());
    expect([code, body.error?.code]).toEqual([500, "AUTH_CONFIG_INVALID"]);
    expect(body.error?.message).toBe("Clerk auth verification is not configured. Set CLERK_JWKS_URL, CLERK_ISSUER, and CLERK_AUDIENCE.");
    expect(metrics.authConfig.missingClerkConfig).toBe(1);
  });
});

describe("insecure dev auth", () => {
  const token = unsignedToken({ sub: "dev_user" });

  it("decodes without verifying on a loopback host", async () => {
    const { body } = await status(bearer(token), makeEnv({ ALLOW_INSECURE_DEV_AUTH: "true" }));
    expect(body).toEqual({ connected: false, scope: "account" });
    expect(metrics.authConfig.insecureDevAuthUsed).toBe(1);
  });

  it("is refused on a public host, even with the flag on: without Clerk config that is the missing-config 500", async () => {
    const response = await worker.fetch(statusRequest(bearer(token), "https://pocketbrain.app"), makeEnv({ ALLOW_INSECURE_DEV_AUTH: "true" }));
    expect([response.status, ((await response.json()) as Json).error?.code]).toEqual([500, "AUTH_CONFIG_INVALID"]);
    expect(metrics.authConfig).toMatchObject({ insecureDevAuthRejected: 1, insecureDevAuthUsed: 0, missingClerkConfig: 1 });
  });
});
