import type { Scenario } from "../src/scenario/types";

export default {
  name: "v2-retry-after-date",
  description: "The backend's Retry-After as an HTTP-date 9 s ahead becomes ≈ 9 integer seconds on the final 503.",
  seed: 6,
  workerVars: { VPS_PROXY_RETRIES: "0" },
  freshWorker: true,
  faults: [{ route: "/api/v2/sync/pull", faults: [{ kind: "retry-after", status: 503, dateOffset: 9 }] }],
  traffic: [{ do: "request", label: "pull", path: "/api/v2/sync/pull" }],
  expect: [
    { check: "status", label: "pull", equals: 503 },
    { check: "retryAfter", label: "pull", equals: 9, tolerance: 1 },
    { check: "metric", path: "metrics.vpsProxyRetryAfterHonored", atLeast: 1 },
  ],
} satisfies Scenario;
