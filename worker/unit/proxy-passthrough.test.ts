import { describe, expect, it } from "vitest";
import { counter, createHarness, errorOf, useProxyTestServer, VPS_ORIGIN, type Harness } from "./proxy-harness";
import { labBackend, statusFault, unavailableFor, type LabBackend } from "./proxy-upstream";
import { HANG_PAST_TIMEOUT } from "./virtual-timers";

const server = useProxyTestServer();
const backendFor = (harness: Harness, options?: Parameters<typeof labBackend>[2]): LabBackend => labBackend(server, harness.clock, options);
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe("/api/v2 order of checks (docs/api.md#apiv2-passthrough)", () => {
  it("answers 503 origin_unconfigured, not retryable, without Retry-After when VPS_API_ORIGIN is unset", async () => {
    const { call } = createHarness({ VPS_API_ORIGIN: undefined });
    const response = await call("/api/v2/sync/pull");
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBeNull();
    expect(await errorOf(response)).toMatchObject({ code: "SERVICE_UNAVAILABLE", cause: "origin_unconfigured", retryable: false });
  });

  it("answers 503 origin_unconfigured when VPS_API_ORIGIN is invalid", async () => {
    const { call } = createHarness({ VPS_API_ORIGIN: "http://backend.example.org" });
    const response = await call("/api/v2/sync/pull");
    expect(response.status).toBe(503);
    expect(await errorOf(response)).toMatchObject({ cause: "origin_unconfigured", retryable: false });
  });

  it("answers 500 CONFIG_ERROR origin_unconfigured when the origin is the Worker's own", async () => {
    const { call } = createHarness();
    const response = await call(`${VPS_ORIGIN}/api/v2/sync/pull`);
    expect(response.status).toBe(500);
    expect(await errorOf(response)).toMatchObject({ code: "CONFIG_ERROR", cause: "origin_unconfigured", retryable: false });
  });

  it("checks the origin before the body limit", async () => {
    const { call } = createHarness({ VPS_API_ORIGIN: undefined });
    const response = await call("/api/v2/sync/push", { method: "POST", body: new Uint8Array(600_000) });
    expect(response.status).toBe(503);
  });

  it("answers 413 PAYLOAD_TOO_LARGE before any upstream call", async () => {
    const harness = createHarness({ VPS_PROXY_MAX_BODY_BYTES: "32768" });
    const backend = backendFor(harness);
    const response = await harness.call("/api/v2/sync/push", { method: "POST", body: new Uint8Array(32_769) });
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe("PAYLOAD_TOO_LARGE");
    expect(backend.seen).toHaveLength(0);
  });
});

describe("/api/v2 passthrough", () => {
  it("streams status, headers and body through and targets origin + path + query", async () => {
    const harness = createHarness();
    const backend = backendFor(harness);
    backend.script("/api/v2/sync/push", statusFault(201, { body: "created", headers: { "x-backend": "yes", "content-type": "text/plain" } }));
    const response = await harness.call("/api/v2/sync/push?since=5&x=%20y", { method: "POST", headers: { "content-type": "application/json" }, body: '{"a":1}' });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-backend")).toBe("yes");
    expect(await response.text()).toBe("created");
    expect(backend.seen[0]).toMatchObject({ method: "POST", url: `${VPS_ORIGIN}/api/v2/sync/push?since=5&x=%20y` });
    expect(text(backend.seen[0]!.body)).toBe('{"a":1}');
  });

  it("sends the request id upstream and adds it to the response when the backend did not echo it", async () => {
    const harness = createHarness();
    const backend = backendFor(harness);
    backend.script("/api/v2/sync/pull", statusFault(200, { body: { changes: [] }, echoRequestId: false }));
    const response = await harness.call("/api/v2/sync/pull", { headers: { "x-request-id": "client-req-12345" } });
    expect(backend.seen[0]!.headers.get("x-request-id")).toBe("client-req-12345");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBe("client-req-12345");
  });

  it("keeps the backend's own x-request-id when it echoes one", async () => {
    const harness = createHarness();
    backendFor(harness).script("/api/v2/sync/pull", statusFault(200, { body: {}, headers: { "x-request-id": "backend-id-999" } }));
    const response = await harness.call("/api/v2/sync/pull");
    expect(response.headers.get("x-request-id")).toBe("backend-id-999");
  });

  it("passes a 4xx through untouched and never retries it", async () => {
    const harness = createHarness({ VPS_PROXY_RETRIES: "3" });
    const backend = backendFor(harness);
    backend.script("/api/v2/sync/pull", statusFault(409, { body: { error: "nope" } }));
    const response = await harness.call("/api/v2/sync/pull");
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ error: "nope" });
    expect(backend.seen).toHaveLength(1);
  });
});

describe("/api/v2 header allow-list", () => {
  const clientHeaders = {
    authorization: "Bearer client-token",
    "x-device-id": "device-1",
    "content-type": "application/json",
    accept: "application/json",
    "cache-control": "no-cache",
    cookie: "pb_ai_session=secret-session; pb_stream_ticket=t1; theme=dark",
    "cf-connecting-ip": "203.0.113.9",
    "x-internal": "leak",
    origin: "https://app.example.org",
  };

  it("forwards only the allow-listed headers and no cookie outside events paths", async () => {
    const harness = createHarness();
    const backend = backendFor(harness);
    await harness.call("/api/v2/sync/pull", { headers: clientHeaders });
    expect([...backend.seen[0]!.headers.keys()].sort()).toEqual(["accept", "authorization", "cache-control", "content-type", "x-device-id", "x-request-id"]);
  });

  it.each(["/api/v2/events", "/api/v2/events/ticket"])("forwards cookies on %s without pb_ai_session", async (path) => {
    const harness = createHarness();
    const backend = backendFor(harness);
    await harness.call(path, { headers: clientHeaders });
    expect(backend.seen[0]!.headers.get("cookie")).toBe("pb_stream_ticket=t1; theme=dark");
  });

  it("drops the cookie header entirely when pb_ai_session was the only cookie", async () => {
    const harness = createHarness();
    const backend = backendFor(harness);
    await harness.call("/api/v2/events", { headers: { cookie: "pb_ai_session=only" } });
    expect(backend.seen[0]!.headers.has("cookie")).toBe(false);
  });
});

describe("/api/v2 retries", () => {
  it("retries a GET after a 5xx with backoff and answers the recovered response", async () => {
    const harness = createHarness({ VPS_PROXY_RETRIES: "2" });
    const backend = backendFor(harness);
    backend.script("/api/v2/sync/pull", unavailableFor(1));
    const response = await harness.call("/api/v2/sync/pull");
    expect(response.status).toBe(200);
    expect(backend.seen).toHaveLength(2);
    expect(counter("vpsProxyRetries")).toBe(1);
    expect(harness.deps.sleeps).toHaveLength(1);
    expect(harness.deps.sleeps[0]).toBeLessThan(100);
  });

  it("resends the buffered body identically on every attempt", async () => {
    const harness = createHarness({ VPS_PROXY_RETRIES: "2" });
    const backend = backendFor(harness);
    // The fake serves no PUT: the third attempt's 200 is scripted too.
    backend.script("/api/v2/sync/push", unavailableFor(2), statusFault(200, { body: { ok: true } }));
    const payload = crypto.getRandomValues(new Uint8Array(40_000));
    const response = await harness.call("/api/v2/sync/push", {
      method: "PUT",
      headers: { "idempotency-key": "push-42", "content-type": "application/octet-stream" },
      body: payload,
    });
    expect(response.status).toBe(200);
    expect(backend.seen).toHaveLength(3);
    for (const seen of backend.seen) {
      expect(seen.body).toEqual(payload);
      expect(seen.headers.get("idempotency-key")).toBe("push-42");
    }
  });

  it("does not retry a POST without an Idempotency-Key", async () => {
    const harness = createHarness({ VPS_PROXY_RETRIES: "3" });
    const backend = backendFor(harness);
    backend.script("/api/v2/sync/push", unavailableFor(1));
    const response = await harness.call("/api/v2/sync/push", { method: "POST", body: "{}" });
    expect(response.status).toBe(503);
    expect(await errorOf(response)).toMatchObject({ cause: "upstream_5xx", retryable: true });
    expect(backend.seen).toHaveLength(1);
  });

  it("retries a write on a path listed in VPS_PROXY_IDEMPOTENT_PATHS, resending the same body", async () => {
    const harness = createHarness({ VPS_PROXY_RETRIES: "2", VPS_PROXY_IDEMPOTENT_PATHS: "/api/v2/sync/push" });
    const backend = backendFor(harness);
    backend.script("/api/v2/sync/push", unavailableFor(1));
    const response = await harness.call("/api/v2/sync/push", { method: "POST", headers: { "content-type": "application/json" }, body: '{"n":1}' });
    expect(response.status).toBe(200);
    expect(backend.seen.map((seen) => text(seen.body))).toEqual(['{"n":1}', '{"n":1}']);
  });

  it("does not retry a write on an unlisted path, nor a listed path that is also a no-retry path", async () => {
    const vars = { VPS_PROXY_RETRIES: "2", VPS_PROXY_IDEMPOTENT_PATHS: "/api/v2/sync/push,/api/v2/events", VPS_PROXY_NO_RETRY_PATHS: "/api/v2/events" };
    for (const path of ["/api/v2/sync/other", "/api/v2/events"]) {
      const harness = createHarness(vars);
      const backend = backendFor(harness);
      backend.script(path, unavailableFor(1));
      const response = await harness.call(path, { method: "POST", body: "{}" });
      expect(response.status, path).toBe(503);
      expect(backend.seen, path).toHaveLength(1);
    }
  });

  it.each(["/api/v2/events", "/api/v2/events/ticket"])("never retries the no-retry path %s", async (path) => {
    const harness = createHarness({ VPS_PROXY_RETRIES: "5" });
    const backend = backendFor(harness);
    backend.script(path, unavailableFor(1));
    const response = await harness.call(path);
    expect(response.status).toBe(503);
    expect(backend.seen).toHaveLength(1);
    expect(counter("vpsProxyNoRetryPathHits")).toBe(1);
  });
});

describe("/api/v2 final failures", () => {
  it("answers 503 upstream_5xx with the open window as Retry-After when upstream gave none", async () => {
    const harness = createHarness({ VPS_PROXY_RETRIES: "1" });
    backendFor(harness).script("*", statusFault(503));
    const response = await harness.call("/api/v2/sync/pull");
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("20");
    expect(await errorOf(response)).toMatchObject({ code: "SERVICE_UNAVAILABLE", cause: "upstream_5xx", retryable: true });
    expect(counter("vpsProxyFailures")).toBe(1);
    expect(counter("vpsProxy5xxPassthrough")).toBe(1);
    expect(counter("vpsProxyUpstreamAttempts")).toBe(2);
  });

  it("passes the upstream Retry-After through in seconds", async () => {
    const harness = createHarness({ VPS_PROXY_RETRIES: "3" });
    const backend = backendFor(harness);
    backend.script("*", statusFault(503, { retryAfter: 42 }));
    const response = await harness.call("/api/v2/sync/pull");
    expect(response.headers.get("retry-after")).toBe("42");
    expect(counter("vpsProxyRetryAfterHonored")).toBe(1);
    // 42 s is past the request's deadline: honouring it means not retrying at all.
    expect(backend.seen).toHaveLength(1);
  });

  it("passes the upstream Retry-After through as an HTTP date", async () => {
    const harness = createHarness({ VPS_PROXY_RETRIES: "0" });
    backendFor(harness).script("*", statusFault(503, { retryAfterDate: 90 }));
    const response = await harness.call("/api/v2/sync/pull");
    expect(response.headers.get("retry-after")).toBe("90");
  });

  it("answers network_error when the upstream connection fails", async () => {
    const harness = createHarness({ VPS_PROXY_RETRIES: "1" });
    backendFor(harness).script("*", { kind: "reset" });
    const response = await harness.call("/api/v2/sync/pull");
    expect(response.status).toBe(503);
    expect(await errorOf(response)).toMatchObject({ cause: "network_error", retryable: true });
    expect(counter("vpsProxyUpstreamAttempts")).toBe(2);
  });

  it("answers timeout when the upstream sends no headers within VPS_PROXY_TIMEOUT_MS", async () => {
    const harness = createHarness({ VPS_PROXY_TIMEOUT_MS: "1000", VPS_PROXY_RETRIES: "0" });
    backendFor(harness).script("*", HANG_PAST_TIMEOUT);
    const started = harness.clock.now();
    const response = await harness.call("/api/v2/sync/pull");
    expect(harness.clock.now() - started).toBe(1000);
    expect(response.status).toBe(503);
    expect(await errorOf(response)).toMatchObject({ cause: "timeout", retryable: true });
    expect(counter("vpsProxyTimeouts")).toBe(1);
  });
});

describe("/api/v2 streaming", () => {
  it("never cuts an SSE body that streams longer than the attempt timeout", async () => {
    const harness = createHarness({ VPS_PROXY_TIMEOUT_MS: "1000" });
    backendFor(harness);
    const started = harness.clock.now();
    // The fake paces its 6 heartbeats 250 ms apart on the clock: 1.25 s pass while the body streams,
    // so a timer still armed would fire and cut it.
    const response = await harness.call("/api/v2/events?events=6&intervalMs=250", { headers: { accept: "text/event-stream" } });
    expect(response.status).toBe(200);
    const events = (await response.text()).match(/^id: \d+$/gm);
    expect(harness.clock.now() - started).toBeGreaterThan(1000);
    expect(events).toEqual(["id: 1", "id: 2", "id: 3", "id: 4", "id: 5", "id: 6"]);
    expect(counter("vpsProxyTimeouts")).toBe(0);
  });
});
