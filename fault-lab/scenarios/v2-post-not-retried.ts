import type { Scenario } from "../src/scenario/types";

/** Brief D: a POST (non-idempotent push) is not retried even with retries configured. */
export default {
  name: "v2-post-not-retried",
  description: "POST /api/v2/sync/push meeting a 503 goes upstream once (no duplicate writes), answering 503 upstream_5xx.",
  seed: 7,
  workerVars: { VPS_PROXY_RETRIES: "2" },
  freshWorker: true,
  faults: [{ route: "/api/v2/sync/push", faults: [{ kind: "status", status: 503 }] }],
  traffic: [{ do: "request", label: "push", method: "POST", path: "/api/v2/sync/push", body: { changes: [{ id: "n1" }] } }],
  expect: [
    { check: "status", label: "push", equals: 503 },
    { check: "cause", label: "push", equals: "upstream_5xx" },
    { check: "upstreamAttempts", route: "/api/v2/sync/push", equals: 1 },
  ],
} satisfies Scenario;
