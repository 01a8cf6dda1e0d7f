import type { Scenario } from "../src/scenario/types";
import { ANALYZE, GEMINI_KEY, GEMINI_ROUTE } from "./_shared";

export default {
  name: "provider-malformed-json",
  description: "A Gemini 200 whose body is not JSON → 502 PROVIDER_UNAVAILABLE, nothing leaked.",
  seed: 25,
  workerVars: { PROVIDER_RETRIES: "0" },
  faults: [],
  traffic: [
    { do: "connect", provider: "gemini", key: GEMINI_KEY, as: "erin" },
    { do: "setFaults", route: GEMINI_ROUTE, faults: [{ kind: "malformed-json" }] },
    { do: "request", label: "analyze", path: "/api/v1/ai/analyze", body: ANALYZE, as: "erin" },
  ],
  expect: [
    { check: "status", label: "analyze", equals: 502 },
    { check: "errorCode", label: "analyze", equals: "PROVIDER_UNAVAILABLE" },
    { check: "noSecretInWorkerLogs" },
  ],
} satisfies Scenario;
