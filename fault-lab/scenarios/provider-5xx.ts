import type { Scenario } from "../src/scenario/types";
import { ANALYZE, OPENROUTER_KEY, OPENROUTER_ROUTE } from "./_shared";

export default {
  name: "provider-5xx",
  description: "OpenRouter answers 503 on every attempt → 503 PROVIDER_UNAVAILABLE cause provider_5xx, retried PROVIDER_RETRIES times.",
  seed: 22,
  workerVars: { PROVIDER_RETRIES: "1" },
  faults: [],
  traffic: [
    { do: "connect", provider: "openrouter", key: OPENROUTER_KEY, as: "bob" },
    { do: "setFaults", route: OPENROUTER_ROUTE, faults: [{ kind: "status", status: 503 }] },
    { do: "request", label: "analyze", path: "/api/v1/ai/analyze", body: ANALYZE, as: "bob" },
    { do: "clearFaults" },
    { do: "request", label: "after", path: "/api/v1/ai/analyze", body: ANALYZE, as: "bob" },
  ],
  expect: [
    { check: "status", label: "connect-bob", equals: 200 },
    { check: "status", label: "analyze", equals: 503 },
    { check: "errorCode", label: "analyze", equals: "PROVIDER_UNAVAILABLE" },
    { check: "cause", label: "analyze", equals: "provider_5xx" },
    { check: "retryAfter", label: "analyze", equals: 5 },
    { check: "status", label: "after", equals: 200 },
    { check: "upstreamAttempts", route: OPENROUTER_ROUTE, equals: 4 },
    { check: "metric", path: "failureCauses.provider.provider_5xx", atLeast: 1 },
  ],
} satisfies Scenario;
