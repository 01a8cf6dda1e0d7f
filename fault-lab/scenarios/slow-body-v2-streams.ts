import type { Scenario } from "../src/scenario/types";

/**
 * The backend sends its headers at once and trickles the body (10 bytes every 200 ms, ~2 s in all)
 * past a 1 s VPS_PROXY_TIMEOUT_MS: the /api/v2 timeout covers response headers only, so the
 * passthrough streams the whole body through, unchanged, on one attempt.
 */
export default {
  name: "slow-body-v2-streams",
  description: "A backend body trickling past VPS_PROXY_TIMEOUT_MS is streamed through whole: the timeout covers headers only.",
  seed: 42,
  workerVars: { VPS_PROXY_TIMEOUT_MS: "1000" },
  freshWorker: true,
  faults: [{ route: "/api/v2/sync/pull", faults: [{ kind: "slow-body", bytesPerChunk: 10, intervalMs: 200 }] }],
  traffic: [{ do: "request", label: "pull", path: "/api/v2/sync/pull" }],
  expect: [
    { check: "status", label: "pull", equals: 200 },
    { check: "jsonPath", label: "pull", path: "changes.0.id", equals: "note-1" },
    { check: "jsonPath", label: "pull", path: "hasMore", equals: false },
    { check: "durationMs", label: "pull", atLeast: 1500 },
    { check: "upstreamAttempts", route: "/api/v2/sync/pull", equals: 1 },
    { check: "metric", path: "metrics.vpsProxyRetries", equals: 0 },
  ],
} satisfies Scenario;
