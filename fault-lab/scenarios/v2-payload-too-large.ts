import type { Scenario } from "../src/scenario/types";

export default {
  name: "v2-payload-too-large",
  description: "A v2 body over VPS_PROXY_MAX_BODY_BYTES is refused with 413 before any upstream call.",
  seed: 12,
  workerVars: { VPS_PROXY_MAX_BODY_BYTES: "32768" },
  faults: [],
  traffic: [{ do: "request", label: "push", method: "POST", path: "/api/v2/sync/push", bodyBytes: 40000 }],
  expect: [
    { check: "status", label: "push", equals: 413 },
    { check: "errorCode", label: "push", equals: "PAYLOAD_TOO_LARGE" },
    { check: "upstreamAttempts", route: "/api/v2/sync/push", equals: 0 },
  ],
} satisfies Scenario;
