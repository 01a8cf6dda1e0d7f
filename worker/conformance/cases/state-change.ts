import { LOCAL, PUBLIC } from "../fakes";
import type { ConformanceCase } from "../types";
import { connectStep, failure, freshClientIp } from "./steps";

const SPEC = "§3.2 state-changing requests (content type, Origin, body)";
const CONNECT = `${PUBLIC}/api/v1/auth/connect`;
/** An empty connect body reaches parsing as {} and fails naming `provider`: proof every earlier check passed. */
const reachedParsing = failure(400, { code: "BAD_REQUEST", message: /provider/i });
const ip = () => ({ "cf-connecting-ip": freshClientIp() });

export const STATE_CHANGE: ConformanceCase[] = [
  {
    name: "connect with text/plain is 415",
    spec: SPEC,
    request: { url: CONNECT, rawBody: '{"provider":"gemini"}', headers: { "content-type": "text/plain", ...ip() } },
    expect: failure(415, { code: "BAD_REQUEST" }),
  },
  {
    name: "connect with an empty Content-Type is 415",
    spec: SPEC,
    request: { url: CONNECT, method: "POST", rawBody: "{}", headers: { "content-type": "", ...ip() } },
    expect: failure(415, { code: "BAD_REQUEST" }),
  },
  {
    name: "an AI action with a form content type is 415",
    spec: SPEC,
    setup: [connectStep("gemini")],
    request: { url: `${LOCAL}/api/v1/ai/analyze`, rawBody: "content=x", headers: { "content-type": "application/x-www-form-urlencoded" }, session: true },
    expect: { ...failure(415, { code: "BAD_REQUEST" }), providerCalls: 0 },
  },
  {
    name: "disconnect with text/plain is 415",
    spec: SPEC,
    request: { url: `${PUBLIC}/api/v1/auth/disconnect`, method: "POST", headers: { "content-type": "text/plain" } },
    expect: failure(415, { code: "BAD_REQUEST" }),
  },
  {
    name: "application/json with a charset parameter is accepted",
    spec: SPEC,
    request: { url: CONNECT, rawBody: "", headers: { "content-type": "application/json; charset=utf-8", ...ip() } },
    expect: reachedParsing,
  },
  {
    name: "connect from a foreign Origin is 403",
    spec: SPEC,
    request: { url: CONNECT, json: { provider: "gemini", apiKey: "irrelevant-key" }, headers: { origin: "https://evil.example.net", ...ip() } },
    expect: { ...failure(403, {}), providerCalls: 0 },
  },
  {
    name: "an AI action from a foreign Origin is 403",
    spec: SPEC,
    setup: [connectStep("gemini")],
    request: { url: `${LOCAL}/api/v1/ai/search`, json: { query: "q" }, headers: { origin: "https://evil.example.net" }, session: true },
    expect: { ...failure(403, {}), providerCalls: 0 },
  },
  {
    name: "disconnect from a foreign Origin is 403 and keeps the cookie",
    spec: SPEC,
    request: { url: `${PUBLIC}/api/v1/auth/disconnect`, method: "POST", headers: { origin: "https://evil.example.net" } },
    expect: { ...failure(403, {}), cookie: null },
  },
  {
    name: "a loopback Origin is foreign to a public Worker: 403",
    spec: SPEC,
    // Not :5173 — a local worker/.dev.vars may list the Vite origins in ALLOWED_ORIGINS.
    request: { url: CONNECT, rawBody: "", headers: { origin: "http://localhost:3999", ...ip() } },
    expect: failure(403, {}),
  },
  {
    name: "the Worker's own Origin is allowed",
    spec: SPEC,
    request: { url: CONNECT, rawBody: "", headers: { origin: PUBLIC, ...ip() } },
    expect: reachedParsing,
  },
  {
    name: "an Origin listed in ALLOWED_ORIGINS is allowed",
    spec: SPEC,
    env: { ALLOWED_ORIGINS: "https://app.pocketbrain.test, https://other.pocketbrain.test" },
    request: { url: CONNECT, rawBody: "", headers: { origin: "https://other.pocketbrain.test", ...ip() } },
    expect: reachedParsing,
  },
  {
    name: "any loopback Origin is allowed when the Worker is on loopback (Vite proxy)",
    spec: SPEC,
    // A local request names no client IP, or a loopback one: a non-loopback one would make it non-local.
    request: { url: `${LOCAL}/api/v1/auth/connect`, rawBody: "", headers: { origin: "http://localhost:5173", "cf-connecting-ip": "127.0.0.9" } },
    expect: reachedParsing,
  },
  {
    name: "a JSON body over 128 KiB is 413",
    spec: SPEC,
    request: { url: CONNECT, json: { provider: "gemini", apiKey: "k", padding: "p".repeat(128 * 1024) }, headers: ip() },
    expect: { ...failure(413, { code: "PAYLOAD_TOO_LARGE" }), providerCalls: 0 },
  },
  {
    name: "an AI body over 128 KiB is 413 before any provider call",
    spec: SPEC,
    setup: [connectStep("gemini")],
    provider: { text: "unused" },
    request: { url: `${LOCAL}/api/v1/ai/analyze`, json: { content: "c".repeat(129 * 1024) }, session: true },
    expect: { ...failure(413, { code: "PAYLOAD_TOO_LARGE" }), providerCalls: 0 },
  },
  {
    name: "invalid JSON is 400",
    spec: SPEC,
    request: { url: CONNECT, rawBody: '{"provider": "gemini",', headers: ip() },
    expect: failure(400, { code: "BAD_REQUEST", retryable: false }),
  },
  {
    name: "an empty body is treated as {}: connect names the missing provider",
    spec: SPEC,
    request: { url: CONNECT, rawBody: "", headers: ip() },
    expect: reachedParsing,
  },
  {
    name: "a body-less POST is treated as {}: connect names the missing provider",
    spec: SPEC,
    request: { url: CONNECT, method: "POST", headers: ip() },
    expect: reachedParsing,
  },
  {
    name: "an unknown provider is 400 naming provider",
    spec: SPEC,
    request: { url: CONNECT, json: { provider: "openai", apiKey: "k-123" }, headers: ip() },
    expect: { ...reachedParsing, providerCalls: 0 },
  },
  {
    name: "a missing apiKey is 400 naming the API key (the original's message)",
    spec: SPEC,
    request: { url: CONNECT, json: { provider: "gemini" }, headers: ip() },
    expect: failure(400, { code: "BAD_REQUEST", message: "API key is required." }),
  },
];
