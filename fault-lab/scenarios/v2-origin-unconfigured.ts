import type { Scenario } from "../src/scenario/types";

export default {
  name: "v2-origin-unconfigured",
  description: "Without VPS_API_ORIGIN the passthrough answers 503 origin_unconfigured, not retryable, and calls nothing.",
  seed: 11,
  workerVars: { VPS_API_ORIGIN: "" },
  faults: [],
  traffic: [{ do: "request", label: "pull", path: "/api/v2/sync/pull" }],
  expect: [
    { check: "status", label: "pull", equals: 503 },
    { check: "cause", label: "pull", equals: "origin_unconfigured" },
    { check: "retryable", label: "pull", equals: false },
    { check: "upstreamAttempts", route: "*", server: "backend", equals: 0 },
  ],
} satisfies Scenario;
