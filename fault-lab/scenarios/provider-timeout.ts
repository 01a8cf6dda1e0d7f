import type { Scenario } from "../src/scenario/types";
import { ANALYZE, GEMINI_KEY, GEMINI_ROUTE } from "./_shared";

export default {
  name: "provider-timeout",
  description: "Gemini stops answering → 504 TIMEOUT cause provider_timeout with Retry-After, after PROVIDER_TIMEOUT_MS, no retry.",
  seed: 21,
  workerVars: { PROVIDER_TIMEOUT_MS: "800", PROVIDER_RETRIES: "0" },
  faults: [],
  traffic: [
    { do: "connect", provider: "gemini", key: GEMINI_KEY, as: "alice" },
    { do: "setFaults", route: GEMINI_ROUTE, faults: [{ kind: "hang" }] },
    { do: "request", label: "analyze", path: "/api/v1/ai/analyze", body: ANALYZE, as: "alice" },
  ],
  expect: [
    { check: "status", label: "connect-alice", equals: 200 },
    { check: "status", label: "analyze", equals: 504 },
    { check: "errorCode", label: "analyze", equals: "TIMEOUT" },
    { check: "cause", label: "analyze", equals: "provider_timeout" },
    { check: "retryAfter", label: "analyze", equals: 5 },
    { check: "durationMs", label: "analyze", atLeast: 700, atMost: 5000 },
    { check: "upstreamAttempts", route: GEMINI_ROUTE, equals: 2 },
  ],
} satisfies Scenario;
