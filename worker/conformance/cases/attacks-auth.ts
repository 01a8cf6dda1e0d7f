import { GEMINI_KEY, LOCAL, PUBLIC } from "../fakes";
import { epochMsAbout } from "../matchers";
import type { ConformanceCase, Step } from "../types";
import { connectStep, failure, freshClientIp, sessionCookie } from "./steps";

/**
 * Client isolation, auth side (issue 15): each attack's exact request and its coded answer, with
 * the honest request beside it still served.
 */
const AREA = "issue 15 hostile client (auth)";
const CONNECT = `${PUBLIC}/api/v1/auth/connect`;
const NO_CLERK = { CLERK_JWKS_URL: "", CLERK_ISSUER: "", CLERK_AUDIENCE: "" };
const INSECURE = { ...NO_CLERK, ALLOW_INSECURE_DEV_AUTH: "true" };
const UNSIGNED = `Bearer ${btoa(JSON.stringify({ alg: "none" })).replace(/=+$/, "")}.${btoa(JSON.stringify({ sub: "user_attacks" })).replace(/=+$/, "")}.`;
const SPOOFED = { "cf-connecting-ip": "203.0.113.9" };
const b64url = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
/** An RS256-shaped token the Worker must verify against the JWKS (the signature is never reached). */
const RS256_SHAPED = `Bearer ${b64url({ alg: "RS256", kid: "conformance-k1", typ: "JWT" })}.${b64url({ sub: "user_jwks", exp: 4_102_444_800 })}.c2lnbmF0dXJl`;
const FAILING_JWKS = { url: "http://127.0.0.1:8641/.well-known/conformance-failing-jwks.json", status: 503 };
const FAILING_CLERK = { CLERK_JWKS_URL: FAILING_JWKS.url, CLERK_ISSUER: "http://127.0.0.1:8641", CLERK_AUDIENCE: "pocketbrain" };

let loopbackSeq = 0;
/** A loopback client IP, new per use: local requests still get their own rate-limit bucket. */
const loopbackIp = () => ({ "cf-connecting-ip": `127.0.${200 + Math.floor(++loopbackSeq / 250)}.${(loopbackSeq % 250) + 1}` });

const hostileKey = (label: string, apiKey: string): ConformanceCase => ({
  name: `connect with an apiKey holding ${label} is 400 naming apiKey, before any provider call`,
  spec: AREA,
  provider: { text: "OK" },
  request: { url: CONNECT, json: { provider: "gemini", apiKey }, headers: { "cf-connecting-ip": freshClientIp() } },
  expect: { ...failure(400, { code: "BAD_REQUEST", message: /apiKey/ }), providerCalls: 0, cookie: null },
});

/** 45 connects from one IP, each with a fresh made-up session cookie (the attack of finding 3). */
function cookieSpray(ip: string): Step[] {
  return Array.from({ length: 45 }, (_, i) => ({
    request: { url: CONNECT, rawBody: "", headers: { "cf-connecting-ip": ip, cookie: `pb_ai_session=spray-${ip}-${i}` } },
    status: 400,
  }));
}
const SPRAY_IP = "192.0.2.145";

export const ATTACKS_AUTH: ConformanceCase[] = [
  hostileKey("a NUL byte", "AIzaSy\u0000nul"),
  hostileKey("a control character", "AIzaSy\u001bctl"),
  hostileKey("a space", "AIzaSy space"),
  hostileKey("non-ASCII", "AIzaSy\u00e9"),
  {
    name: "an honest connect right after hostile keys is served",
    spec: AREA,
    setup: [1, 2, 3].map(() => ({ request: { url: CONNECT, json: { provider: "gemini", apiKey: "AIzaSy\u0000nul" }, headers: { "cf-connecting-ip": freshClientIp() } }, status: 400 })),
    provider: { text: "OK" },
    request: { url: CONNECT, json: { provider: "gemini", apiKey: GEMINI_KEY }, headers: { "cf-connecting-ip": freshClientIp() } },
    expect: { status: 200, providerCalls: 1, cookie: sessionCookie(86400, true) },
  },
  {
    name: "the 46th connect from one IP is 429 even with a fresh made-up cookie",
    spec: AREA,
    setup: cookieSpray(SPRAY_IP),
    request: { url: CONNECT, rawBody: "", headers: { "cf-connecting-ip": SPRAY_IP, cookie: "pb_ai_session=spray-fresh-one" } },
    expect: failure(429, { code: "RATE_LIMITED", retryable: true }),
  },
  {
    name: "an AI call with a made-up cookie is 401, not a fresh rate-limit bucket",
    spec: AREA,
    provider: { text: "unused" },
    request: { url: `${LOCAL}/api/v1/ai/search`, json: { query: "q" }, headers: { cookie: `pb_ai_session=${crypto.randomUUID()}` } },
    expect: { ...failure(401, { code: "AUTH_REQUIRED", message: "AI session missing. Please reconnect your key." }), providerCalls: 0 },
  },
  {
    name: "metrics on a loopback host naming a public client IP are hidden: 404",
    spec: AREA,
    request: { url: `${LOCAL}/api/v1/metrics`, headers: SPOOFED },
    expect: failure(404, { code: "NOT_FOUND" }),
  },
  {
    name: "metrics on a loopback host with a public first X-Forwarded-For entry are hidden: 404",
    spec: AREA,
    request: { url: `${LOCAL}/api/v1/metrics`, headers: { "x-forwarded-for": "198.51.100.23, 127.0.0.1" } },
    expect: failure(404, { code: "NOT_FOUND" }),
  },
  {
    name: "the dev page on a loopback host naming a public client IP is 404",
    spec: AREA,
    request: { url: `${LOCAL}/__dev/`, headers: SPOOFED },
    expect: failure(404, { code: "NOT_FOUND" }),
  },
  {
    name: "a loopback Origin on a loopback host naming a public client IP is 403",
    spec: AREA,
    request: { url: `${LOCAL}/api/v1/auth/connect`, rawBody: "", headers: { origin: "http://localhost:5173", ...SPOOFED } },
    expect: failure(403, {}),
  },
  {
    name: "insecure dev auth on a loopback host naming a public client IP does not apply: missing Clerk config 500",
    spec: AREA,
    env: INSECURE,
    request: { url: `${LOCAL}/api/v1/auth/status`, headers: { authorization: UNSIGNED, ...SPOOFED } },
    expect: failure(500, { code: "AUTH_CONFIG_INVALID" }),
  },
  {
    name: "a planted second pb_ai_session cookie means no session: status is a disconnected device",
    spec: AREA,
    setup: [connectStep("gemini", PUBLIC)],
    request: { url: `${PUBLIC}/api/v1/auth/status`, session: true, headers: { cookie: "pb_ai_session=attacker-planted-session" } },
    expect: { status: 200, json: { connected: false, scope: "device" } },
  },
  {
    name: "a planted second pb_ai_session cookie means no session: an AI call is 401 and reaches no provider",
    spec: AREA,
    setup: [connectStep("gemini", PUBLIC)],
    provider: { text: "unused" },
    request: { url: `${PUBLIC}/api/v1/ai/search`, json: { query: "q" }, session: true, headers: { cookie: "pb_ai_session=attacker-planted-session" } },
    expect: { ...failure(401, { code: "AUTH_REQUIRED", message: /pb_ai_session cookie was sent more than once/ }), providerCalls: 0 },
  },
  {
    name: "the victim's own cookie alone still works after a tossing attempt",
    spec: AREA,
    setup: [
      connectStep("gemini", PUBLIC),
      { request: { url: `${PUBLIC}/api/v1/auth/status`, session: true, headers: { cookie: "pb_ai_session=attacker-planted-session" } }, status: 200 },
    ],
    request: { url: `${PUBLIC}/api/v1/auth/status`, session: true },
    expect: { status: 200, json: { connected: true, provider: "gemini", expiresAt: epochMsAbout(86_400_000), scope: "device" } },
  },
  {
    name: "disconnect with a verified user answers the account scope and clears the device cookie",
    spec: AREA,
    env: INSECURE,
    setup: [{ request: { url: `${LOCAL}/api/v1/auth/connect`, json: { provider: "gemini", apiKey: GEMINI_KEY }, headers: loopbackIp() }, provider: { text: "OK" }, status: 200 }],
    request: { url: `${LOCAL}/api/v1/auth/disconnect`, method: "POST", session: true, headers: { authorization: UNSIGNED } },
    expect: { status: 200, json: { connected: false, scope: "account" }, cookie: sessionCookie(0, false, "") },
  },
  {
    name: "after a verified disconnect the device session is gone too",
    spec: AREA,
    env: INSECURE,
    setup: [
      { request: { url: `${LOCAL}/api/v1/auth/connect`, json: { provider: "gemini", apiKey: GEMINI_KEY }, headers: loopbackIp() }, provider: { text: "OK" }, status: 200 },
      { request: { url: `${LOCAL}/api/v1/auth/disconnect`, method: "POST", session: true, headers: { authorization: UNSIGNED } }, status: 200 },
    ],
    provider: { text: "unused" },
    request: { url: `${LOCAL}/api/v1/ai/search`, json: { query: "q" }, session: true },
    expect: { ...failure(401, { code: "AUTH_REQUIRED", message: "AI session missing. Please reconnect your key." }), providerCalls: 0 },
  },
  {
    name: "a failing JWKS endpoint is fetched once for 10 bearer requests (remembered), and each falls back to the device scope",
    spec: AREA,
    env: FAILING_CLERK,
    jwks: FAILING_JWKS,
    setup: [{ request: { url: `${PUBLIC}/api/v1/auth/status`, headers: { authorization: RS256_SHAPED } }, repeat: 9, status: 200 }],
    request: { url: `${PUBLIC}/api/v1/auth/status`, headers: { authorization: RS256_SHAPED } },
    expect: { status: 200, json: { connected: false, scope: "device" }, jwksFetches: 1 },
  },
];
