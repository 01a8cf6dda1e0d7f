import type { Scenario } from "../src/scenario/types";
import { ANALYZE, GEMINI_KEY, GEMINI_ROUTE } from "./_shared";

export default {
  name: "provider-circuit",
  description: "The Gemini circuit (in the Durable Object) opens after PROVIDER_CIRCUIT_FAILURE_THRESHOLD failed attempts, rejects without a provider call, and closes after one successful probe.",
  seed: 24,
  workerVars: { PROVIDER_RETRIES: "0", PROVIDER_CIRCUIT_FAILURE_THRESHOLD: "2", PROVIDER_CIRCUIT_OPEN_MS: "2000", PROVIDER_CIRCUIT_REFRESH_MS: "500" },
  freshWorker: true,
  faults: [],
  traffic: [
    { do: "connect", provider: "gemini", key: GEMINI_KEY, as: "dave" },
    { do: "setFaults", route: GEMINI_ROUTE, faults: [{ kind: "status", status: 500 }] },
    { do: "request", label: "fail-1", path: "/api/v1/ai/analyze", body: ANALYZE, as: "dave" },
    { do: "request", label: "fail-2", path: "/api/v1/ai/analyze", body: ANALYZE, as: "dave" },
    { do: "request", label: "open", path: "/api/v1/ai/analyze", body: ANALYZE, as: "dave" },
    { do: "clearFaults" },
    { do: "wait", ms: 2200 },
    { do: "request", label: "probe", path: "/api/v1/ai/analyze", body: ANALYZE, as: "dave" },
    { do: "request", label: "closed", path: "/api/v1/ai/analyze", body: ANALYZE, as: "dave" },
  ],
  expect: [
    { check: "cause", label: "fail-1", equals: "provider_5xx" },
    { check: "cause", label: "fail-2", equals: "provider_5xx" },
    { check: "status", label: "open", equals: 503 },
    { check: "errorCode", label: "open", equals: "PROVIDER_UNAVAILABLE" },
    { check: "cause", label: "open", equals: "provider_circuit_open" },
    { check: "retryAfter", label: "open", equals: 2 },
    { check: "status", label: "probe", equals: 200 },
    { check: "status", label: "closed", equals: 200 },
    { check: "upstreamAttempts", route: GEMINI_ROUTE, equals: 5 },
  ],
} satisfies Scenario;
