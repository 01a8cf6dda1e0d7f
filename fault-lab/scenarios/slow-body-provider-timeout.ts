import type { Scenario } from "../src/scenario/types";
import { ANALYZE, GEMINI_KEY, GEMINI_ROUTE } from "./_shared";

/**
 * Gemini sends its headers at once and then trickles the body (8 bytes every 250 ms: a full reply
 * would take many seconds). The provider timeout covers the whole exchange, body included (AI
 * answers are read whole), so the call ends at PROVIDER_TIMEOUT_MS with 504 TIMEOUT
 * provider_timeout, the same coded error a provider that sends no headers gets.
 */
export default {
  name: "slow-body-provider-timeout",
  description: "Gemini answers headers on time but trickles the body → 504 TIMEOUT cause provider_timeout after PROVIDER_TIMEOUT_MS, no retry.",
  seed: 41,
  freshWorker: true,
  workerVars: { PROVIDER_TIMEOUT_MS: "800", PROVIDER_RETRIES: "0" },
  faults: [],
  traffic: [
    { do: "connect", provider: "gemini", key: GEMINI_KEY, as: "alice" },
    { do: "setFaults", route: GEMINI_ROUTE, faults: [{ kind: "slow-body", bytesPerChunk: 8, intervalMs: 250 }] },
    { do: "request", label: "analyze", path: "/api/v1/ai/analyze", body: ANALYZE, as: "alice" },
  ],
  expect: [
    { check: "status", label: "connect-alice", equals: 200 },
    { check: "status", label: "analyze", equals: 504 },
    { check: "errorCode", label: "analyze", equals: "TIMEOUT" },
    { check: "cause", label: "analyze", equals: "provider_timeout" },
    { check: "retryable", label: "analyze", equals: true },
    { check: "retryAfter", label: "analyze", equals: 5 },
    { check: "durationMs", label: "analyze", atLeast: 700, atMost: 5000 },
    { check: "upstreamAttempts", route: GEMINI_ROUTE, equals: 2 },
    { check: "metric", path: "failureCauses.provider.provider_timeout", equals: 1 },
  ],
} satisfies Scenario;
