import type { Scenario } from "../src/scenario/types";

export default {
  name: "v2-reset-network-error",
  description: "Connection resets on every attempt → retried once, then 503 cause network_error with a Retry-After.",
  seed: 13,
  workerVars: { VPS_PROXY_RETRIES: "1" },
  freshWorker: true,
  faults: [{ route: "/api/v2/sync/pull", faults: [{ kind: "reset" }] }],
  traffic: [{ do: "request", label: "pull", path: "/api/v2/sync/pull" }],
  expect: [
    { check: "status", label: "pull", equals: 503 },
    { check: "cause", label: "pull", equals: "network_error" },
    { check: "retryAfter", label: "pull", equals: 20, tolerance: 1 },
    { check: "upstreamAttempts", route: "/api/v2/sync/pull", equals: 2 },
  ],
} satisfies Scenario;
