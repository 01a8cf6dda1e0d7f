import type { Scenario } from "../src/scenario/types";
import { ANALYZE, ATTACKER_IP, GEMINI_KEY, GEMINI_ROUTE } from "./_shared";

const NUL_CONNECT = { provider: "gemini", apiKey: "AIzaSyLabFake\u0000Key000000000000000000001" };

export default {
  name: "attack-nul-key",
  description: "Finding 1: an apiKey with a NUL byte is refused at connect (400 naming apiKey) before any provider call; the shared Gemini breaker stays closed and an honest user's AI call still succeeds.",
  seed: 151,
  freshWorker: true,
  faults: [],
  traffic: [
    { do: "connect", provider: "gemini", key: GEMINI_KEY, as: "olga" },
    { do: "request", label: "nul-key", method: "POST", path: "/api/v1/auth/connect", body: NUL_CONNECT, headers: { "cf-connecting-ip": ATTACKER_IP } },
    { do: "request", label: "nul-key", method: "POST", path: "/api/v1/auth/connect", body: NUL_CONNECT, headers: { "cf-connecting-ip": ATTACKER_IP } },
    { do: "request", label: "nul-key", method: "POST", path: "/api/v1/auth/connect", body: NUL_CONNECT, headers: { "cf-connecting-ip": ATTACKER_IP } },
    { do: "request", label: "honest", path: "/api/v1/ai/analyze", body: ANALYZE, as: "olga" },
  ],
  expect: [
    { check: "status", label: "nul-key", equals: 400 },
    { check: "errorCode", label: "nul-key", equals: "BAD_REQUEST" },
    { check: "bodyIncludes", label: "nul-key", text: "apiKey" },
    { check: "setsCookie", label: "nul-key", name: "pb_ai_session", present: false },
    { check: "status", label: "honest", equals: 200 },
    { check: "metricIs", path: "providerCircuits.gemini.state", value: "closed" },
    // The honest connect's validation and the honest analyze: the NUL key never reached Gemini.
    { check: "upstreamAttempts", route: GEMINI_ROUTE, equals: 2 },
    { check: "noSecretInWorkerLogs" },
  ],
} satisfies Scenario;
