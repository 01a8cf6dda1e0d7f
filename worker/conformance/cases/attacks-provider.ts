import { BACKEND_ORIGIN, LOCAL, PUBLIC } from "../fakes";
import type { BackendReply, ConformanceCase, Step } from "../types";
import { connectStep, failure } from "./steps";

const AREA = "issue 15: one client cannot hurt another (providers, /api/v2)";
const WITH_BACKEND = { VPS_API_ORIGIN: BACKEND_ORIGIN, VPS_PROXY_RETRIES: "0" };
const HEALTHY: BackendReply = { kind: "status", status: 200, body: '{"ok":true}', headers: { "content-type": "application/json" } };
const SESSION_AND_TICKET = "pb_ai_session=00000000-0000-4000-8000-000000000000; pb_stream_ticket=t-1";

const encodedPath = (path: string): ConformanceCase => ({
  name: `${path} answers 400 BAD_REQUEST before any upstream call`,
  spec: AREA,
  env: WITH_BACKEND,
  backend: HEALTHY,
  request: { url: `${PUBLIC}${path}`, headers: { cookie: SESSION_AND_TICKET } },
  expect: { ...failure(400, { code: "BAD_REQUEST", retryable: false, message: /path/ }), backend: { calls: 0 } },
});

const tinyBudget: Step = { request: { url: `${PUBLIC}/api/v2/sync/pull`, headers: { "x-timeout-ms": "1" } }, backend: HEALTHY, status: 200 };
const spentKeyAnalyze: Step = { request: { url: `${LOCAL}/api/v1/ai/analyze`, json: { content: "x" }, session: true }, provider: { kind: "status", status: 429 }, repeat: 5, status: 429 };

export const ATTACKS_PROVIDER: ConformanceCase[] = [
  encodedPath("/api/v2/..%2f..%2fadmin"),
  encodedPath("/api/v2/..%2F..%2Fadmin"),
  encodedPath("/api/v2/sync%5Cpull"),
  encodedPath("/api/v2/sync/..%2e/x"),
  encodedPath("/api/v2/events/..%2fadmin"),
  {
    name: "an honest /api/v2 request beside the encoded-path attacks still passes through",
    spec: AREA,
    env: WITH_BACKEND,
    setup: [{ request: { url: `${PUBLIC}/api/v2/..%2fadmin` }, status: 400, repeat: 3 }],
    backend: HEALTHY,
    request: { url: `${PUBLIC}/api/v2/sync/pull` },
    expect: { status: 200, kind: "passthrough", rawBody: '{"ok":true}', backend: { calls: 1 } },
  },
  {
    name: "X-Timeout-Ms: 1 is raised to the 1000 ms floor: a healthy backend answers, and honest traffic after three such requests goes upstream",
    spec: AREA,
    env: WITH_BACKEND,
    setup: [tinyBudget, tinyBudget, tinyBudget],
    backend: HEALTHY,
    request: { url: `${PUBLIC}/api/v2/sync/pull` },
    expect: { status: 200, kind: "passthrough", rawBody: '{"ok":true}', backend: { calls: 1 } },
  },
  {
    name: "a backend Set-Cookie for pb_ai_session never reaches the browser",
    spec: AREA,
    env: WITH_BACKEND,
    backend: { kind: "status", status: 200, body: "{}", headers: { "content-type": "application/json", "set-cookie": "pb_ai_session=attacker-session; Path=/; HttpOnly" } },
    request: { url: `${PUBLIC}/api/v2/events/ticket`, method: "POST", rawBody: "{}" },
    expect: { status: 200, kind: "passthrough", cookie: null, headers: { "set-cookie": null } },
  },
  {
    name: "a backend Set-Cookie for pb_stream_ticket passes through",
    spec: AREA,
    env: WITH_BACKEND,
    backend: { kind: "status", status: 200, body: "{}", headers: { "content-type": "application/json", "set-cookie": "pb_stream_ticket=t-1; Path=/api/v2/events; HttpOnly" } },
    request: { url: `${PUBLIC}/api/v2/events/ticket`, method: "POST", rawBody: "{}" },
    expect: { status: 200, kind: "passthrough", headers: { "set-cookie": "pb_stream_ticket=t-1; Path=/api/v2/events; HttpOnly" } },
  },
  {
    name: "one user's key answered 429 five times leaves the provider breaker closed for another user",
    spec: AREA,
    env: { PROVIDER_RETRIES: "0" },
    setup: [connectStep("gemini"), spentKeyAnalyze, connectStep("gemini")],
    provider: { text: '{"title":"Fine","tags":[],"type":"NOTE"}' },
    request: { url: `${LOCAL}/api/v1/ai/analyze`, json: { content: "an honest note" }, session: true },
    expect: { status: 200, json: { result: { title: "Fine", tags: [], type: "NOTE" } }, providerCalls: 1 },
  },
];
