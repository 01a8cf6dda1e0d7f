import type { Scenario } from "../src/scenario/types";
import { ANALYZE, GEMINI_KEY, GEMINI_ROUTE } from "./_shared";

export default {
  name: "provider-malformed-json",
  description: "A Gemini 200 whose body is not JSON → 503 NETWORK provider_network_error with Retry-After 5 (as the original worker), nothing leaked.",
  seed: 25,
  workerVars: { PROVIDER_RETRIES: "0" },
  faults: [],
  traffic: [
    { do: "connect", provider: "gemini", key: GEMINI_KEY, as: "erin" },
    { do: "setFaults", route: GEMINI_ROUTE, faults: [{ kind: "malformed-json" }] },
    { do: "request", label: "analyze", path: "/api/v1/ai/analyze", body: ANALYZE, as: "erin" },
  ],
  expect: [
    { check: "status", label: "analyze", equals: 503 },
    { check: "errorCode", label: "analyze", equals: "NETWORK" },
    { check: "cause", label: "analyze", equals: "provider_network_error" },
    { check: "retryAfter", label: "analyze", equals: 5 },
    { check: "noSecretInWorkerLogs" },
  ],
} satisfies Scenario;
