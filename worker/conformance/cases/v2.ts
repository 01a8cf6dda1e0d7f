import { BACKEND_ORIGIN, PUBLIC } from "../fakes";
import type { ConformanceCase } from "../types";
import { failure } from "./steps";

const AREA = "docs/api.md#apiv2-passthrough";
const WITH_BACKEND = { VPS_API_ORIGIN: BACKEND_ORIGIN, VPS_PROXY_RETRIES: "0" };

export const V2: ConformanceCase[] = [
  {
    name: "without VPS_API_ORIGIN /api/v2 answers 503 origin_unconfigured, not retryable",
    spec: AREA,
    request: { url: `${PUBLIC}/api/v2/sync/pull` },
    expect: failure(503, { code: "SERVICE_UNAVAILABLE", cause: "origin_unconfigured", retryable: false }),
  },
  {
    name: "a VPS_API_ORIGIN equal to the Worker's own origin answers 500 CONFIG_ERROR origin_unconfigured",
    spec: AREA,
    env: { VPS_API_ORIGIN: BACKEND_ORIGIN },
    backend: { kind: "status", status: 200, body: "{}" },
    request: { url: `${BACKEND_ORIGIN}/api/v2/sync/pull` },
    expect: { ...failure(500, { code: "CONFIG_ERROR", cause: "origin_unconfigured", retryable: false }), backend: { calls: 0 } },
  },
  {
    name: "a success passes status, body and headers through with the client's X-Request-Id",
    spec: AREA,
    env: WITH_BACKEND,
    backend: { kind: "status", status: 201, body: '{"ok":true,"items":[1,2]}', headers: { "content-type": "application/json; charset=utf-8", "x-backend-marker": "kept", etag: '"v7"' } },
    request: {
      url: `${PUBLIC}/api/v2/sync/pull?since=5&limit=2`,
      requestId: "client-sync-req-0042",
      headers: { authorization: "Bearer app-token", cookie: "pb_ai_session=00000000-0000-4000-8000-000000000000; theme=dark" },
    },
    expect: {
      status: 201,
      kind: "passthrough",
      rawBody: '{"ok":true,"items":[1,2]}',
      headers: { "content-type": "application/json; charset=utf-8", "x-backend-marker": "kept", etag: '"v7"' },
      backend: {
        calls: 1,
        pathAndQuery: "/api/v2/sync/pull?since=5&limit=2",
        headers: { "x-request-id": "client-sync-req-0042", authorization: "Bearer app-token", cookie: null },
      },
    },
  },
  {
    name: "a passthrough without any request id carries the Worker's own, sent upstream too",
    spec: AREA,
    env: WITH_BACKEND,
    backend: { kind: "status", status: 200, body: "[]", headers: { "content-type": "application/json" } },
    request: { url: `${PUBLIC}/api/v2/notes`, requestId: null },
    expect: { status: 200, kind: "passthrough", rawBody: "[]", backend: { calls: 1, requestIdMatchesResponse: true } },
  },
  {
    name: "a POST body and method reach the backend and a 4xx passes through untouched",
    spec: AREA,
    env: WITH_BACKEND,
    backend: { kind: "status", status: 409, body: '{"conflict":"note n1"}', headers: { "content-type": "application/json" } },
    request: { url: `${PUBLIC}/api/v2/sync/push`, json: { changes: [{ id: "n1" }] } },
    expect: { status: 409, kind: "passthrough", rawBody: '{"conflict":"note n1"}', backend: { calls: 1, headers: { "content-type": "application/json" } } },
  },
  {
    name: "on an events path only the non-session cookies are forwarded",
    spec: AREA,
    env: WITH_BACKEND,
    backend: { kind: "status", status: 200, body: '{"ticket":"t-1"}', headers: { "content-type": "application/json" } },
    request: { url: `${PUBLIC}/api/v2/events/ticket`, method: "POST", rawBody: "{}", headers: { cookie: "pb_ai_session=00000000-0000-4000-8000-000000000000; vps_session=abc" } },
    expect: { status: 200, kind: "passthrough", backend: { calls: 1, headers: { cookie: "vps_session=abc" } } },
  },
  {
    name: "a backend 503 answers 503 upstream_5xx with the backend's Retry-After",
    spec: AREA,
    env: WITH_BACKEND,
    backend: { kind: "status", status: 503, body: "down", retryAfter: 7 },
    request: { url: `${PUBLIC}/api/v2/sync/pull` },
    expect: { ...failure(503, { code: "SERVICE_UNAVAILABLE", cause: "upstream_5xx", retryable: true }), headers: { "retry-after": "7" }, backend: { calls: 1 } },
  },
  {
    name: "a body over VPS_PROXY_MAX_BODY_BYTES is 413 before any upstream call",
    spec: AREA,
    env: { ...WITH_BACKEND, VPS_PROXY_MAX_BODY_BYTES: "32768" },
    backend: { kind: "status", status: 200, body: "{}" },
    request: { url: `${PUBLIC}/api/v2/sync/push`, rawBody: "x".repeat(40_000) },
    expect: { ...failure(413, { code: "PAYLOAD_TOO_LARGE" }), backend: { calls: 0 } },
  },
  {
    name: "an unreachable backend answers 503 network_error with the open-window Retry-After",
    spec: AREA,
    env: WITH_BACKEND,
    backend: { kind: "reset" },
    request: { url: `${PUBLIC}/api/v2/sync/pull` },
    expect: { ...failure(503, { code: "SERVICE_UNAVAILABLE", cause: "network_error", retryable: true }), headers: { "retry-after": "20" }, backend: { calls: 1 } },
  },
  {
    name: "a backend success after failures passes through (and closes the count)",
    spec: AREA,
    env: WITH_BACKEND,
    backend: { kind: "status", status: 200, body: '{"ok":true}', headers: { "content-type": "application/json" } },
    request: { url: `${PUBLIC}/api/v2/sync/pull` },
    expect: { status: 200, kind: "passthrough", rawBody: '{"ok":true}', backend: { calls: 1 } },
  },
];
