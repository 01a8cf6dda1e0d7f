import { env, SELF } from "cloudflare:test";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { realDeps } from "../src/deps";
import { handleRequest } from "../src/index";
import { resetRetryBudget } from "../src/proxy";
import { resetVpsCircuit } from "../src/vps-circuit";
import { createVirtualTimers } from "../unit/virtual-timers";

const ORIGIN = "http://127.0.0.1:8620";
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  resetVpsCircuit();
  resetRetryBudget();
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** The Worker with VPS_API_ORIGIN pointed at the msw backend (the shared bindings leave it unset). */
const callWorker = (path: string, vars: Record<string, string> = {}, init?: RequestInit) =>
  handleRequest(new Request(`https://pb.example.org${path}`, init), { ...env, VPS_API_ORIGIN: ORIGIN, ...vars }, realDeps);

describe("/api/v2 on workerd", () => {
  it("answers 503 origin_unconfigured through SELF when VPS_API_ORIGIN is unset", async () => {
    const response = await SELF.fetch("http://127.0.0.1/api/v2/sync/pull");
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { cause: string } }).error.cause).toBe("origin_unconfigured");
  });

  it("streams an SSE body longer than the attempt timeout without cutting it", async () => {
    const encoder = new TextEncoder();
    let stream!: ReadableStreamDefaultController<Uint8Array>;
    // Hand-written: the lab's msw adapter and fakes run on workerd but fail worker/tsconfig.json's typecheck (msw vs workers Request types, node:crypto untyped).
    server.use(
      http.get(`${ORIGIN}/api/v2/events`, () => {
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            stream = controller;
          },
        });
        return new HttpResponse(body, { headers: { "content-type": "text/event-stream" } });
      }),
    );
    // The attempt timer runs on a virtual clock: 1.5 s pass while the body streams, at once.
    const timers = createVirtualTimers(Date.now());
    const request = new Request("https://pb.example.org/api/v2/events");
    const response = await handleRequest(request, { ...env, VPS_API_ORIGIN: ORIGIN, VPS_PROXY_TIMEOUT_MS: "1000" }, { ...realDeps, timeout: timers.timeout });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBeTruthy();
    const text = response.text();
    for (let sent = 1; sent <= 6; sent += 1) {
      timers.advance(250);
      stream.enqueue(encoder.encode(`data: ${sent}\n\n`));
    }
    stream.close();
    expect((await text).match(/data: \d/g)).toHaveLength(6);
  });

  it("opens the circuit on the 3rd failed request and then answers without calling upstream", async () => {
    // Hand-written: the lab's msw adapter and fakes run on workerd but fail worker/tsconfig.json's typecheck (msw vs workers Request types, node:crypto untyped).
    let calls = 0;
    server.use(
      http.get(`${ORIGIN}/api/v2/sync/pull`, () => {
        calls += 1;
        return HttpResponse.json({}, { status: 502 });
      }),
    );
    const vars = { VPS_PROXY_RETRIES: "0" };
    for (let index = 0; index < 3; index += 1) expect((await callWorker("/api/v2/sync/pull", vars)).status).toBe(503);
    const rejected = await callWorker("/api/v2/sync/pull", vars);
    expect(((await rejected.json()) as { error: { cause: string } }).error.cause).toBe("circuit_open");
    expect(Number(rejected.headers.get("retry-after"))).toBeGreaterThanOrEqual(19);
    expect(calls).toBe(3);
  });
});
