import type { Scenario } from "../src/scenario/types";

export default {
  name: "v2-header-allowlist",
  description: "Only allow-listed headers go upstream; cookies only on /api/v2/events, pb_ai_session never; the request id is echoed and forwarded.",
  seed: 10,
  faults: [],
  traffic: [
    {
      do: "request",
      label: "pull",
      path: "/api/v2/sync/pull",
      headers: { "x-request-id": "lab-req-0001", authorization: "Bearer lab-token", "x-device-id": "dev-1", "x-internal-secret": "nope", cookie: "pb_ai_session=abc; pb_stream_ticket=t1" },
    },
    { do: "request", label: "stream", path: "/api/v2/events?events=1&intervalMs=10", headers: { "x-request-id": "lab-req-0002", cookie: "pb_ai_session=abc; pb_stream_ticket=t1" } },
  ],
  expect: [
    { check: "status", label: "pull", equals: 200 },
    { check: "requestIdEchoed", label: "pull" },
    { check: "requestIdEchoed", label: "stream" },
    { check: "upstreamHeaders", route: "/api/v2/sync/pull", include: ["authorization", "x-device-id", "x-request-id"], exclude: ["x-internal-secret", "cookie"] },
    { check: "upstreamHeaders", route: "/api/v2/events", cookiesInclude: ["pb_stream_ticket"], cookiesExclude: ["pb_ai_session"] },
  ],
} satisfies Scenario;
