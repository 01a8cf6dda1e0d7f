import { LOCAL } from "../fakes";
import type { ConformanceCase } from "../types";
import { connectStep, failure, freshClientIp } from "./steps";

const AREA = "docs/api.md#response-headers — retryable failures carry Retry-After";
/** One attempt per request: these cases are about the final answer, not the retry loop. */
const ONE_ATTEMPT = { PROVIDER_RETRIES: "0" };
const search = { url: `${LOCAL}/api/v1/ai/search`, json: { query: "anything" }, session: true } as const;

export const RETRY_AFTER: ConformanceCase[] = [
  {
    name: "a provider 429 with Retry-After passes on as 429 RATE_LIMITED with that Retry-After",
    spec: AREA,
    setup: [connectStep("gemini")],
    provider: { kind: "status", status: 429, retryAfter: 30 },
    request: search,
    expect: { ...failure(429, { code: "RATE_LIMITED", retryable: true }), headers: { "retry-after": "30" } },
  },
  {
    name: "a provider 429 without Retry-After still answers an integer Retry-After",
    spec: AREA,
    env: ONE_ATTEMPT,
    setup: [connectStep("openrouter")],
    provider: { kind: "status", status: 429 },
    request: search,
    expect: { ...failure(429, { code: "RATE_LIMITED", retryable: true }), headers: { "retry-after": /^[1-9]\d*$/ } },
  },
  {
    name: "a provider 503 answers 503 PROVIDER_UNAVAILABLE provider_5xx with Retry-After",
    spec: AREA,
    env: ONE_ATTEMPT,
    setup: [connectStep("gemini")],
    provider: { kind: "status", status: 503 },
    request: search,
    expect: { ...failure(503, { code: "PROVIDER_UNAVAILABLE", cause: "provider_5xx", retryable: true }), providerCalls: 1 },
  },
  {
    name: "a hung provider answers 504 TIMEOUT provider_timeout with Retry-After",
    spec: AREA,
    env: { ...ONE_ATTEMPT, PROVIDER_TIMEOUT_MS: "500" },
    setup: [connectStep("openrouter")],
    provider: { kind: "hang" },
    request: search,
    expect: failure(504, { code: "TIMEOUT", cause: "provider_timeout", retryable: true }),
  },
  {
    name: "a KV outage answers 503 SERVICE_UNAVAILABLE kv_unavailable with Retry-After 5",
    spec: AREA,
    kvOutage: true,
    setup: [connectStep("gemini")],
    request: { url: `${LOCAL}/api/v1/auth/status`, session: true },
    expect: { ...failure(503, { code: "SERVICE_UNAVAILABLE", cause: "kv_unavailable", retryable: true }), headers: { "retry-after": "5" } },
  },
  {
    name: "a KV outage during an AI call answers 503 kv_unavailable without a provider call",
    spec: AREA,
    kvOutage: true,
    setup: [connectStep("gemini")],
    provider: { text: "unused" },
    request: search,
    expect: { ...failure(503, { code: "SERVICE_UNAVAILABLE", cause: "kv_unavailable" }), headers: { "retry-after": "5" }, providerCalls: 0 },
  },
  (() => {
    const clientIp = freshClientIp();
    const emptyConnect = { url: `${LOCAL}/api/v1/auth/connect`, rawBody: "", headers: { "cf-connecting-ip": clientIp } };
    return {
      name: "the 46th connect in a minute from one client answers 429 RATE_LIMITED with Retry-After ≤ 60",
      spec: AREA,
      setup: [{ request: emptyConnect, repeat: 45, status: 400 }],
      request: emptyConnect,
      expect: { ...failure(429, { code: "RATE_LIMITED", retryable: true }), headers: { "retry-after": /^([1-9]|[1-5]\d|60)$/ } },
    };
  })(),
];
