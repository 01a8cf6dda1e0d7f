import { LOCAL, PUBLIC } from "../fakes";
import type { ConformanceCase } from "../types";
import { anyString } from "../matchers";
import { failure } from "./steps";

const AREA = "docs/api.md#conventions — routing, envelope and headers";
const notFound = failure(404, { code: "NOT_FOUND", retryable: false });

export const BASICS: ConformanceCase[] = [
  {
    name: "OPTIONS on an API route answers 204 with an empty body",
    spec: AREA,
    request: { method: "OPTIONS", url: `${PUBLIC}/api/v1/ai/analyze`, headers: { origin: "https://app.example.net", "access-control-request-method": "POST" } },
    expect: { status: 204, kind: "empty" },
  },
  {
    name: "OPTIONS on any path answers 204 with an empty body",
    spec: AREA,
    request: { method: "OPTIONS", url: `${LOCAL}/anything/at/all` },
    expect: { status: 204, kind: "empty" },
  },
  {
    name: "an unknown route answers the 404 NOT_FOUND envelope",
    spec: AREA,
    request: { url: `${PUBLIC}/api/v1/nope` },
    expect: notFound,
  },
  {
    name: "GET on a POST-only route is anything else: 404",
    spec: AREA,
    request: { url: `${LOCAL}/api/v1/auth/connect` },
    expect: notFound,
  },
  {
    name: "an unknown AI action is anything else: 404",
    spec: AREA,
    request: { url: `${LOCAL}/api/v1/ai/summarize`, json: { content: "x" } },
    expect: notFound,
  },
  {
    name: "a path outside /api answers 404",
    spec: AREA,
    request: { url: `${PUBLIC}/` },
    expect: notFound,
  },
  {
    name: "without an incoming X-Request-Id one is generated and used in the envelope",
    spec: AREA,
    request: { url: `${PUBLIC}/api/v1/nope`, requestId: null },
    expect: notFound,
  },
  {
    name: "an X-Request-Id with spaces and markup is not echoed",
    spec: AREA,
    request: { url: `${PUBLIC}/api/v1/nope`, requestId: "<script>alert(1)</script> id" },
    expect: { ...notFound, requestId: "generated" },
  },
  {
    name: "an over-long X-Request-Id is not echoed",
    spec: AREA,
    request: { url: `${PUBLIC}/api/v1/nope`, requestId: "r".repeat(300) },
    expect: { ...notFound, requestId: "generated" },
  },
  {
    name: "a sane X-Request-Id is echoed on a success",
    spec: AREA,
    request: { url: `${PUBLIC}/api/v1/auth/status`, requestId: "client-req:0001.a_b" },
    expect: { status: 200, requestId: "echo", json: { connected: false, scope: "device" } },
  },
];

/** docs/api.md#error-envelope "unknown exceptions become 500 INTERNAL_ERROR with no internals leaked". */
export const UNKNOWN_EXCEPTIONS: ConformanceCase[] = [
  {
    name: "a request body that fails mid-read becomes 500 INTERNAL_ERROR without internals",
    spec: "§3.1 unknown exceptions",
    // Through SELF.fetch workerd never hands the Worker a failing stream (the upload error stays on
    // the caller's side and the Worker reads an empty body), so only plain Node can express it.
    runners: ["node"],
    request: { url: `${LOCAL}/api/v1/auth/connect`, failingBody: true, headers: { "cf-connecting-ip": "192.0.2.77" } },
    expect: { ...failure(500, { code: "INTERNAL_ERROR", retryable: false, message: /^[^:]*$/ }), json: { error: { code: "INTERNAL_ERROR", message: "Internal server error", retryable: false, requestId: anyString } } },
  },
];
