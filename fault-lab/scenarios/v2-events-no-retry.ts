import type { Scenario } from "../src/scenario/types";

export default {
  name: "v2-events-no-retry",
  description: "The events handshake (ticket + SSE connect) is never retried, even with retries configured: one upstream attempt each.",
  seed: 4,
  workerVars: { VPS_PROXY_RETRIES: "3" },
  freshWorker: true,
  faults: [
    { route: "/api/v2/events/ticket", faults: [{ kind: "status", status: 503 }] },
    { route: "/api/v2/events", faults: [{ kind: "reset" }] },
  ],
  traffic: [
    { do: "request", label: "ticket", method: "POST", path: "/api/v2/events/ticket", body: {} },
    { do: "request", label: "stream", path: "/api/v2/events" },
  ],
  expect: [
    { check: "status", label: "ticket", equals: 503 },
    { check: "status", label: "stream", equals: 503 },
    { check: "cause", label: "stream", equals: "network_error" },
    { check: "upstreamAttempts", route: "/api/v2/events/ticket", equals: 1 },
    { check: "upstreamAttempts", route: "/api/v2/events", equals: 1 },
    { check: "metric", path: "metrics.vpsProxyNoRetryPathHits", atLeast: 2 },
  ],
} satisfies Scenario;
