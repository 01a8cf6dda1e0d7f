import type { Scenario } from "../src/scenario/types";

export default {
  name: "attack-encoded-path",
  description: "Finding 5: /api/v2 paths with an encoded '/', '\\' or '.' (%2F, %5C, %2E, any case) answer 400 naming the path before any upstream call; an honest pull still goes through.",
  seed: 156,
  faults: [],
  traffic: [
    { do: "request", label: "encoded", path: "/api/v2/..%2f..%2fadmin" },
    { do: "request", label: "encoded", path: "/api/v2/events/..%2F..%2Fsync%2Fpull", headers: { cookie: "pb_stream_ticket=t1" } },
    { do: "request", label: "encoded", path: "/api/v2/sync%5cpull" },
    { do: "request", label: "encoded", path: "/api/v2/sync/%2E%2E%2Fpush" },
    { do: "request", label: "honest", path: "/api/v2/sync/pull" },
  ],
  expect: [
    { check: "status", label: "encoded", equals: 400 },
    { check: "errorCode", label: "encoded", equals: "BAD_REQUEST" },
    { check: "bodyIncludes", label: "encoded", text: "path" },
    { check: "status", label: "honest", equals: 200 },
    // Only the honest pull reached the backend.
    { check: "upstreamAttempts", route: "*", server: "backend", equals: 1 },
  ],
} satisfies Scenario;
