import type { Scenario } from "../src/scenario/types";

export default {
  name: "v2-retry-after-seconds",
  description: "The backend's Retry-After in seconds is passed through on the final 503.",
  seed: 5,
  workerVars: { VPS_PROXY_RETRIES: "0" },
  freshWorker: true,
  faults: [{ route: "/api/v2/sync/pull", faults: [{ kind: "retry-after", status: 503, seconds: 7 }] }],
  traffic: [{ do: "request", label: "pull", path: "/api/v2/sync/pull" }],
  expect: [
    { check: "status", label: "pull", equals: 503 },
    { check: "cause", label: "pull", equals: "upstream_5xx" },
    { check: "retryAfter", label: "pull", equals: 7, tolerance: 0 },
  ],
} satisfies Scenario;
