import type { Scenario } from "../src/scenario/types";

export default {
  name: "v2-sse-not-cut",
  description: "An SSE stream lasting 3 s is not cut by a 1 s VPS_PROXY_TIMEOUT_MS: the timeout covers response headers only.",
  seed: 8,
  workerVars: { VPS_PROXY_TIMEOUT_MS: "1000" },
  faults: [],
  traffic: [{ do: "request", label: "stream", path: "/api/v2/events?events=6&intervalMs=500" }],
  expect: [
    { check: "status", label: "stream", equals: 200 },
    { check: "bodyIncludes", label: "stream", text: "id: 6" },
    { check: "bodyIncludes", label: "stream", text: "event: end" },
    { check: "durationMs", label: "stream", atLeast: 2500 },
    { check: "upstreamAttempts", route: "/api/v2/events", equals: 1 },
  ],
} satisfies Scenario;
