import type { Scenario } from "../src/scenario/types";

const PULL = "/api/v2/sync/pull";

export default {
  name: "attack-tiny-budget",
  description: "Finding 2: three /api/v2 requests with X-Timeout-Ms: 1 against a healthy (1.5 s) backend fail on their own budget only; the circuit stays closed and the next honest request goes upstream.",
  seed: 153,
  freshWorker: true,
  faults: [{ route: PULL, server: "backend", faults: [{ kind: "latency", ms: 1500, times: 3 }] }],
  traffic: [
    { do: "request", label: "tiny-budget", path: PULL, headers: { "x-timeout-ms": "1" } },
    { do: "request", label: "tiny-budget", path: PULL, headers: { "x-timeout-ms": "1" } },
    { do: "request", label: "tiny-budget", path: PULL, headers: { "x-timeout-ms": "1" } },
    { do: "request", label: "honest", path: PULL },
  ],
  expect: [
    // The original worker's answer for a request that ran out of time upstream.
    { check: "status", label: "tiny-budget", equals: 503 },
    { check: "cause", label: "tiny-budget", equals: "timeout" },
    { check: "status", label: "honest", equals: 200 },
    { check: "metricIs", path: "vpsProxyCircuit.state", value: "closed" },
    { check: "upstreamAttempts", route: PULL, equals: 4 },
  ],
} satisfies Scenario;
