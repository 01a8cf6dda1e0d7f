import type { Scenario } from "../src/scenario/types";

const PULL = "/api/v2/sync/pull";

/**
 * The one slow scenario: the REAL 20 s open window. Five concurrent requests arrive when the window
 * ends; the probe is held 1.5 s by a latency fault so the other four meet the half-open state.
 */
export default {
  name: "v2-circuit-window",
  description: "3rd consecutive failure opens the circuit; Retry-After counts down; after the real 20 s exactly one half-open probe goes upstream; its success closes the circuit.",
  seed: 3,
  workerVars: { VPS_PROXY_RETRIES: "0" },
  freshWorker: true,
  faults: [{ route: PULL, faults: [{ kind: "status", status: 503 }] }],
  traffic: [
    { do: "request", label: "fail-1", path: PULL },
    { do: "request", label: "fail-2", path: PULL },
    { do: "request", label: "fail-3", path: PULL },
    { do: "request", label: "open-at-0s", path: PULL },
    { do: "wait", ms: 5000 },
    { do: "request", label: "open-at-5s", path: PULL },
    { do: "clearFaults" },
    { do: "setFaults", route: PULL, faults: [{ kind: "latency", ms: 1500, times: 1 }] },
    { do: "wait", ms: 15300 },
    { do: "request", label: "probe-moment", path: PULL, concurrency: 5 },
    { do: "request", label: "closed-again", path: PULL },
  ],
  expect: [
    { check: "cause", label: "fail-1", equals: "upstream_5xx" },
    { check: "cause", label: "fail-2", equals: "upstream_5xx" },
    { check: "cause", label: "fail-3", equals: "upstream_5xx" },
    { check: "status", label: "open-at-0s", equals: 503 },
    { check: "cause", label: "open-at-0s", equals: "circuit_open" },
    { check: "retryAfter", label: "open-at-0s", equals: 20 },
    { check: "cause", label: "open-at-5s", equals: "circuit_open" },
    { check: "retryAfter", label: "open-at-5s", equals: 15 },
    { check: "statusCounts", label: "probe-moment", counts: { "200": 1, "503": 4 } },
    { check: "status", label: "closed-again", equals: 200 },
    { check: "upstreamAttempts", route: PULL, equals: 5 },
    { check: "metric", path: "metrics.vpsProxyCircuitOpens", equals: 1 },
    { check: "metricIs", path: "vpsProxyCircuit.state", value: "closed" },
  ],
} satisfies Scenario;
