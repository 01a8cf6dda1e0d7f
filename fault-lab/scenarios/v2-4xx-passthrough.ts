import type { Scenario } from "../src/scenario/types";

export default {
  name: "v2-4xx-passthrough",
  description: "A backend 409 passes through untouched (status and body), is not retried and does not count toward the circuit.",
  seed: 9,
  workerVars: { VPS_PROXY_RETRIES: "2" },
  freshWorker: true,
  faults: [{ route: "/api/v2/sync/push", faults: [{ kind: "status", status: 409, body: { error: { code: "CONFLICT", message: "stale cursor" } } }] }],
  traffic: [
    { do: "request", label: "push", method: "POST", path: "/api/v2/sync/push", body: { changes: [] }, concurrency: 4 },
  ],
  expect: [
    { check: "status", label: "push", equals: 409 },
    { check: "bodyIncludes", label: "push", text: "stale cursor" },
    { check: "upstreamAttempts", route: "/api/v2/sync/push", equals: 4 },
    { check: "metricIs", path: "vpsProxyCircuit.state", value: "closed" },
  ],
} satisfies Scenario;
