import type { Scenario } from "../src/scenario/types";

export default {
  name: "v2-5xx-burst-recovery",
  description: "503 ×1 then 200: the retry hides the burst; the next burst of 2 exceeds one retry and fails with upstream_5xx; then the backend recovers.",
  seed: 2,
  workerVars: { VPS_PROXY_RETRIES: "1" },
  freshWorker: true,
  faults: [{ route: "/api/v2/sync/pull", faults: [{ kind: "status", status: 503, times: 1 }] }],
  traffic: [
    { do: "request", label: "retried", path: "/api/v2/sync/pull" },
    { do: "setFaults", route: "/api/v2/sync/pull", faults: [{ kind: "status", status: 502, times: 2 }] },
    { do: "request", label: "burst", path: "/api/v2/sync/pull" },
    { do: "request", label: "recovered", path: "/api/v2/sync/pull" },
  ],
  expect: [
    { check: "status", label: "retried", equals: 200 },
    { check: "bodyIncludes", label: "retried", text: "note-1" },
    { check: "status", label: "burst", equals: 503 },
    { check: "cause", label: "burst", equals: "upstream_5xx" },
    { check: "status", label: "recovered", equals: 200 },
    { check: "upstreamAttempts", route: "/api/v2/sync/pull", equals: 5 },
    { check: "metric", path: "metrics.vpsProxyRetries", atLeast: 2 },
    { check: "metricIs", path: "vpsProxyCircuit.state", value: "closed" },
  ],
} satisfies Scenario;
