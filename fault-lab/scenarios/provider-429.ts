import type { Scenario } from "../src/scenario/types";
import { ANALYZE, GEMINI_KEY, GEMINI_ROUTE } from "./_shared";

export default {
  name: "provider-429",
  description: "Gemini 429 RESOURCE_EXHAUSTED with Retry-After 12 → 429 RATE_LIMITED with Retry-After 12.",
  seed: 23,
  workerVars: { PROVIDER_RETRIES: "0" },
  faults: [],
  traffic: [
    { do: "connect", provider: "gemini", key: GEMINI_KEY, as: "carol" },
    { do: "setFaults", route: GEMINI_ROUTE, faults: [{ kind: "status", status: 429, retryAfter: 12 }] },
    { do: "request", label: "analyze", path: "/api/v1/ai/analyze", body: ANALYZE, as: "carol" },
  ],
  expect: [
    { check: "status", label: "analyze", equals: 429 },
    { check: "errorCode", label: "analyze", equals: "RATE_LIMITED" },
    { check: "retryable", label: "analyze", equals: true },
    { check: "retryAfter", label: "analyze", equals: 12 },
    { check: "upstreamAttempts", route: GEMINI_ROUTE, equals: 2 },
  ],
} satisfies Scenario;
