import type { Scenario } from "../src/scenario/types";
import { ANALYZE, GEMINI_KEY, GEMINI_ROUTE } from "./_shared";

export default {
  name: "provider-malformed-json",
  description: "A Gemini 200 whose body is not JSON is treated as a network error, as the original worker does (something between us and the provider answered) → 503 NETWORK, nothing leaked.",
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
    { check: "noSecretInWorkerLogs" },
  ],
} satisfies Scenario;
