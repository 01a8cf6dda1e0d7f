import { BACKEND_ORIGIN, GEMINI_KEY, LOCAL, PUBLIC } from "../fakes";
import type { ConformanceCase } from "../types";
import { METRICS_SHAPE } from "./metrics";
import { failure, freshClientIp } from "./steps";

/**
 * Drop-in compatibility with the original worker, auth side (issue 13; docs/api.md): the runtime
 * secret rule and where it applies, cookie lookup, missing Clerk config, the order of checks.
 */
const AREA = "issue 13 original-worker compatibility (auth)";
const BAD_SECRET = { KEY_ENCRYPTION_SECRET: "replace-with-32-byte-secret" };
const NO_CLERK = { CLERK_JWKS_URL: "", CLERK_ISSUER: "", CLERK_AUDIENCE: "" };
const secretRefused = failure(500, { code: "INTERNAL_ERROR", message: "AI proxy encryption secret is not configured", retryable: false });
const ip = () => ({ "cf-connecting-ip": freshClientIp() });
/** An unsigned token (insecure dev auth decodes it; no Clerk config turns it into a 500). */
const UNSIGNED = `Bearer ${btoa(JSON.stringify({ alg: "none" })).replace(/=+$/, "")}.${btoa(JSON.stringify({ sub: "user_compat" })).replace(/=+$/, "")}.`;
const COOKIE = "pb_ai_session=6b0f7d2a-4c1e-4f8b-9a3d-2e5c7f9b1d40";

export const COMPAT_AUTH: ConformanceCase[] = [
  {
    name: "connect with a placeholder secret answers the original's 500 INTERNAL_ERROR before any provider call",
    spec: AREA,
    env: BAD_SECRET,
    provider: { text: "OK" },
    request: { url: `${PUBLIC}/api/v1/auth/connect`, json: { provider: "gemini", apiKey: GEMINI_KEY }, headers: ip() },
    expect: { ...secretRefused, providerCalls: 0, cookie: null },
  },
  {
    name: "an AI call with a placeholder secret answers the original's 500 INTERNAL_ERROR",
    spec: AREA,
    env: BAD_SECRET,
    provider: { text: "unused" },
    request: { url: `${LOCAL}/api/v1/ai/search`, json: { query: "q" }, headers: { cookie: COOKIE } },
    expect: { ...secretRefused, providerCalls: 0 },
  },
  {
    name: "status never checks the secret",
    spec: AREA,
    env: BAD_SECRET,
    request: { url: `${PUBLIC}/api/v1/auth/status`, headers: { cookie: COOKIE } },
    expect: { status: 200, json: { connected: false, scope: "device" } },
  },
  {
    name: "disconnect never checks the secret",
    spec: AREA,
    env: BAD_SECRET,
    request: { url: `${PUBLIC}/api/v1/auth/disconnect`, method: "POST", headers: { cookie: COOKIE } },
    expect: { status: 200, json: { connected: false, scope: "device" } },
  },
  {
    name: "metrics never check the secret",
    spec: AREA,
    env: BAD_SECRET,
    request: { url: `${LOCAL}/api/v1/metrics` },
    expect: { status: 200, json: METRICS_SHAPE },
  },
  {
    name: "/api/v2 never checks the secret",
    spec: AREA,
    env: { ...BAD_SECRET, VPS_API_ORIGIN: BACKEND_ORIGIN },
    backend: { kind: "status", status: 200, headers: { "content-type": "text/plain" }, body: "pulled" },
    request: { url: `${LOCAL}/api/v2/sync/pull` },
    expect: { status: 200, kind: "passthrough", rawBody: "pulled", backend: { calls: 1 } },
  },
  {
    name: "a repeated-character secret is accepted at runtime (the strict rule is config:check's)",
    spec: AREA,
    env: { KEY_ENCRYPTION_SECRET: "z".repeat(32) },
    provider: { text: "OK" },
    request: { url: `${PUBLIC}/api/v1/auth/connect`, json: { provider: "gemini", apiKey: GEMINI_KEY }, headers: ip() },
    expect: { status: 200, providerCalls: 1 },
  },
  {
    name: "a non-UUID cookie of the original's shape is looked up (missing session, not missing cookie)",
    spec: AREA,
    provider: { text: "unused" },
    request: { url: `${LOCAL}/api/v1/ai/search`, json: { query: "q" }, headers: { cookie: "pb_ai_session=session-123" } },
    expect: { ...failure(401, { code: "AUTH_REQUIRED", message: "AI session missing. Please reconnect your key." }), providerCalls: 0 },
  },
  {
    name: "a cookie value outside the session-id shape is no session at all",
    spec: AREA,
    provider: { text: "unused" },
    request: { url: `${LOCAL}/api/v1/ai/search`, json: { query: "q" }, headers: { cookie: "pb_ai_session=a%2F..%2Fb" } },
    expect: { ...failure(401, { code: "AUTH_REQUIRED", message: "Connect an AI key in Settings to enable AI features." }), providerCalls: 0 },
  },
  {
    name: "a bearer with no Clerk config answers 500 AUTH_CONFIG_INVALID",
    spec: AREA,
    env: NO_CLERK,
    request: { url: `${PUBLIC}/api/v1/auth/status`, headers: { authorization: UNSIGNED } },
    expect: failure(500, { code: "AUTH_CONFIG_INVALID", message: /Clerk auth verification is not configured/ }),
  },
  {
    name: "insecure dev auth that does not apply (public host) with no Clerk config is the same 500",
    spec: AREA,
    env: { ...NO_CLERK, ALLOW_INSECURE_DEV_AUTH: "true" },
    request: { url: `${PUBLIC}/api/v1/auth/status`, headers: { authorization: UNSIGNED } },
    expect: failure(500, { code: "AUTH_CONFIG_INVALID" }),
  },
  {
    name: "insecure dev auth on a local request gives the account scope",
    spec: AREA,
    env: { ...NO_CLERK, ALLOW_INSECURE_DEV_AUTH: "true" },
    request: { url: `${LOCAL}/api/v1/auth/status`, headers: { authorization: UNSIGNED } },
    expect: { status: 200, json: { connected: false, scope: "account" } },
  },
  {
    name: "connect order: 415 comes before the secret",
    spec: AREA,
    env: BAD_SECRET,
    request: { url: `${PUBLIC}/api/v1/auth/connect`, rawBody: "x", headers: { "content-type": "text/plain", ...ip() } },
    expect: failure(415, { code: "BAD_REQUEST" }),
  },
  {
    name: "connect order: the secret comes before the auth config",
    spec: AREA,
    env: { ...BAD_SECRET, ...NO_CLERK },
    request: { url: `${PUBLIC}/api/v1/auth/connect`, rawBody: "{oops", headers: { authorization: UNSIGNED, ...ip() } },
    expect: secretRefused,
  },
  {
    name: "connect order: the auth config comes before the body",
    spec: AREA,
    env: NO_CLERK,
    request: { url: `${PUBLIC}/api/v1/auth/connect`, rawBody: "{oops", headers: { authorization: UNSIGNED, ...ip() } },
    expect: failure(500, { code: "AUTH_CONFIG_INVALID" }),
  },
  {
    name: "connect order: the provider is checked before the key, both before any provider call",
    spec: AREA,
    provider: { text: "OK" },
    request: { url: `${PUBLIC}/api/v1/auth/connect`, json: { provider: "openai", apiKey: "" }, headers: ip() },
    expect: { ...failure(400, { code: "BAD_REQUEST", message: "Provider must be gemini or openrouter" }), providerCalls: 0 },
  },
  {
    name: "connect order: a key the provider does not confirm is 401 and stores nothing",
    spec: AREA,
    provider: { text: "I cannot do that" },
    request: { url: `${PUBLIC}/api/v1/auth/connect`, json: { provider: "gemini", apiKey: GEMINI_KEY }, headers: ip() },
    expect: { ...failure(401, { code: "AUTH_REQUIRED", message: "API key validation failed" }), providerCalls: 1, cookie: null },
  },
];
