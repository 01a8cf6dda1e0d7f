import type { Scenario } from "../src/scenario/types";
import { ANALYZE, GEMINI_KEY, GEMINI_QUOTA_KEY, GEMINI_ROUTE } from "./_shared";

export default {
  name: "attack-provider-key-429",
  description: "Finding 1: one user's key that Gemini refuses with 429 (its own quota) six times in a row does not open the shared Gemini breaker: another user's AI call still succeeds.",
  seed: 152,
  workerVars: { PROVIDER_RETRIES: "0" },
  freshWorker: true,
  faults: [],
  traffic: [
    { do: "connect", provider: "gemini", key: GEMINI_QUOTA_KEY, as: "quentin" },
    { do: "connect", provider: "gemini", key: GEMINI_KEY, as: "olga" },
    ...Array.from({ length: 6 }, () => ({ do: "request" as const, label: "quota", path: "/api/v1/ai/analyze", body: ANALYZE, as: "quentin" })),
    { do: "request", label: "honest", path: "/api/v1/ai/analyze", body: ANALYZE, as: "olga" },
  ],
  expect: [
    { check: "status", label: "quota", equals: 429 },
    { check: "errorCode", label: "quota", equals: "RATE_LIMITED" },
    { check: "status", label: "honest", equals: 200 },
    { check: "metricIs", path: "providerCircuits.gemini.state", value: "closed" },
    // 2 validations + 6 refused calls + the honest one: none was cut off by an open breaker.
    { check: "upstreamAttempts", route: GEMINI_ROUTE, equals: 9 },
  ],
} satisfies Scenario;
