import type { Scenario } from "../src/scenario/types";

export default {
  name: "v2-timeout",
  description: "A backend that never answers headers → each attempt times out at VPS_PROXY_TIMEOUT_MS, one retry, then 503 cause timeout.",
  seed: 1,
  workerVars: { VPS_PROXY_TIMEOUT_MS: "1000", VPS_PROXY_RETRIES: "1" },
  freshWorker: true,
  faults: [{ route: "/api/v2/sync/pull", faults: [{ kind: "hang" }] }],
  traffic: [{ do: "request", label: "pull", path: "/api/v2/sync/pull" }],
  expect: [
    { check: "status", label: "pull", equals: 503 },
    { check: "errorCode", label: "pull", equals: "SERVICE_UNAVAILABLE" },
    { check: "cause", label: "pull", equals: "timeout" },
    { check: "retryable", label: "pull", equals: true },
    { check: "upstreamAttempts", route: "/api/v2/sync/pull", equals: 2 },
    { check: "durationMs", label: "pull", atLeast: 1900, atMost: 6000 },
    { check: "metric", path: "failureCauses.upstream.timeout", equals: 1 },
  ],
} satisfies Scenario;
