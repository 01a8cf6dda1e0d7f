import { LOCAL, PLAINTEXT_KEYS, PUBLIC } from "../fakes";
import { epochMsAbout } from "../matchers";
import type { ConformanceCase } from "../types";
import { connectStep, disconnectStep, failure, freshClientIp, keyFor, sessionCookie, type Provider } from "./steps";

const AREA = "docs/api.md#session-cookie — device session and cookie";
const DAY_MS = 86_400_000;
const connectedAs = (provider: Provider) => ({ connected: true, provider, expiresAt: epochMsAbout(DAY_MS), scope: "device" });

function connectCase(provider: Provider, host: string, secure: boolean): ConformanceCase {
  return {
    name: `connect ${provider} on ${host} sets the session cookie${secure ? " with Secure" : " without Secure"}`,
    spec: AREA,
    provider: { text: "OK" },
    request: { url: `${host}/api/v1/auth/connect`, json: { provider, apiKey: keyFor(provider) }, headers: { "cf-connecting-ip": freshClientIp() } },
    expect: { status: 200, cookie: sessionCookie(86400, secure), providerCalls: 1 },
  };
}

export const DEVICE_SESSION: ConformanceCase[] = [
  {
    name: "status without a cookie is a disconnected device",
    spec: AREA,
    request: { url: `${PUBLIC}/api/v1/auth/status` },
    expect: { status: 200, json: { connected: false, scope: "device" } },
  },
  connectCase("gemini", PUBLIC, true),
  connectCase("openrouter", PUBLIC, true),
  connectCase("gemini", LOCAL, false),
  connectCase("openrouter", LOCAL, false),
  connectCase("gemini", "http://localhost", false),
  connectCase("gemini", "https://127.0.0.1", true),
  connectCase("openrouter", "http://pb.example.org", true),
  {
    name: "status after a gemini connect is a connected device with its expiry",
    spec: AREA,
    setup: [connectStep("gemini", PUBLIC)],
    request: { url: `${PUBLIC}/api/v1/auth/status`, session: true },
    expect: { status: 200, json: connectedAs("gemini"), providerCalls: 0 },
  },
  {
    name: "status after an openrouter connect is a connected device with its expiry",
    spec: AREA,
    setup: [connectStep("openrouter", LOCAL)],
    request: { url: `${LOCAL}/api/v1/auth/status`, session: true },
    expect: { status: 200, json: connectedAs("openrouter") },
  },
  {
    name: "disconnect on a public host clears the cookie with Max-Age=0 and Secure",
    spec: AREA,
    setup: [connectStep("gemini", PUBLIC)],
    request: { url: `${PUBLIC}/api/v1/auth/disconnect`, method: "POST", session: true },
    expect: { status: 200, cookie: sessionCookie(0, true, "") },
  },
  {
    name: "disconnect on http 127.0.0.1 clears the cookie with Max-Age=0 without Secure",
    spec: AREA,
    setup: [connectStep("openrouter", LOCAL)],
    request: { url: `${LOCAL}/api/v1/auth/disconnect`, method: "POST", session: true },
    expect: { status: 200, cookie: sessionCookie(0, false, "") },
  },
  {
    name: "status with the old cookie after disconnect is disconnected",
    spec: AREA,
    setup: [connectStep("gemini", PUBLIC), disconnectStep(PUBLIC)],
    request: { url: `${PUBLIC}/api/v1/auth/status`, session: true },
    expect: { status: 200, json: { connected: false, scope: "device" } },
  },
  {
    name: "an AI call with the old cookie after disconnect answers 401 AUTH_REQUIRED",
    spec: AREA,
    setup: [connectStep("gemini", PUBLIC), disconnectStep(PUBLIC)],
    provider: { text: "unused" },
    request: { url: `${PUBLIC}/api/v1/ai/search`, json: { query: "anything" }, session: true },
    expect: { ...failure(401, { code: "AUTH_REQUIRED", retryable: false }), providerCalls: 0 },
  },
  {
    name: "an AI call without any session answers 401 AUTH_REQUIRED",
    spec: AREA,
    request: { url: `${LOCAL}/api/v1/ai/analyze`, json: { content: "a note" } },
    expect: failure(401, { code: "AUTH_REQUIRED", retryable: false }),
  },
  {
    name: "a key the provider does not answer OK for is refused: 401 API key validation failed, no cookie",
    spec: AREA,
    provider: { text: "I cannot help with that." },
    request: { url: `${LOCAL}/api/v1/auth/connect`, json: { provider: "gemini", apiKey: keyFor("gemini") }, headers: { "cf-connecting-ip": freshClientIp() } },
    expect: { ...failure(401, { code: "AUTH_REQUIRED", message: "API key validation failed" }), cookie: null, providerCalls: 1 },
  },
  {
    name: "a key the provider rejects with 401 is refused: 401 API key validation failed",
    spec: AREA,
    provider: { kind: "status", status: 401 },
    request: { url: `${LOCAL}/api/v1/auth/connect`, json: { provider: "openrouter", apiKey: keyFor("openrouter") }, headers: { "cf-connecting-ip": freshClientIp() } },
    expect: { ...failure(401, { code: "AUTH_REQUIRED", message: "API key validation failed" }), cookie: null },
  },
  {
    name: "after connects with both providers no plaintext key is anywhere in KV",
    spec: AREA,
    setup: [connectStep("gemini", PUBLIC), connectStep("openrouter", PUBLIC), connectStep("gemini", LOCAL)],
    request: { url: `${PUBLIC}/api/v1/auth/status`, session: true },
    expect: { status: 200, json: connectedAs("gemini"), kvFreeOf: PLAINTEXT_KEYS },
  },
];
