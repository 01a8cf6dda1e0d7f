import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { withoutTiming } from "../src/control/lab-control";
import { createLabControl } from "../src/control/lab-control";
import { backendService } from "../src/fakes/backend";
import { startFakeServer } from "../src/adapters/node-http";
import { startFakes, type Fakes } from "./helpers";

let fakes: Fakes;
beforeAll(async () => {
  fakes = await startFakes();
});
afterAll(() => fakes.close());
beforeEach(async () => {
  await fetch(`${fakes.backend.url}/__lab/faults`, { method: "DELETE" });
  await fetch(`${fakes.backend.url}/__lab/events`, { method: "DELETE" });
});

const post = (url: string, body: unknown) => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("HTTP control API", () => {
  it("programs a status burst for a route and lists it", async () => {
    const added = await post(`${fakes.backend.url}/__lab/faults`, { route: "/api/v2/sync/pull", faults: [{ kind: "status", status: 503, times: 3 }] });
    expect(added.status).toBe(201);
    const list = (await (await fetch(`${fakes.backend.url}/__lab/faults`)).json()) as unknown[];
    expect(list).toEqual([{ route: "/api/v2/sync/pull", server: "backend", faults: [{ kind: "status", status: 503, times: 3, remaining: 3 }] }]);
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await fetch(`${fakes.backend.url}/api/v2/sync/pull`)).status);
    expect(statuses).toEqual([503, 503, 503, 200]);
  });

  it("answers 400 listing the valid kinds for an unknown fault kind", async () => {
    const response = await post(`${fakes.backend.url}/__lab/faults`, { route: "*", faults: [{ kind: "gremlin" }] });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; validKinds: string[] };
    expect(body.error).toContain('unknown fault kind "gremlin"');
    expect(body.validKinds).toEqual(expect.arrayContaining(["latency", "hang", "status", "reset", "sse-truncate", "sse-stall", "malformed-json", "retry-after"]));
  });

  it('"*" on one fake does not leak onto the others', async () => {
    await post(`${fakes.backend.url}/__lab/faults`, { route: "*", faults: [{ kind: "status", status: 500 }] });
    expect((await fetch(`${fakes.backend.url}/api/v2/sync/pull`)).status).toBe(500);
    const gemini = await fetch(`${fakes.gemini.url}/v1beta/models/gemini-2.5-flash:generateContent`, { method: "POST", headers: { "x-goog-api-key": "lab-key" }, body: "{}" });
    expect(gemini.status).toBe(200);
  });

  it("DELETE /__lab/faults resets every fault", async () => {
    await post(`${fakes.backend.url}/__lab/faults`, { route: "*", faults: [{ kind: "status", status: 500 }] });
    await fetch(`${fakes.backend.url}/__lab/faults`, { method: "DELETE" });
    expect((await fetch(`${fakes.backend.url}/api/v2/sync/pull`)).status).toBe(200);
  });

  it("records events with the request id, header and cookie names, and counts requests per route", async () => {
    await fetch(`${fakes.backend.url}/api/v2/sync/pull`, { headers: { "x-request-id": "rid-1", cookie: "pb_stream_ticket=t; other=v" } });
    await fetch(`${fakes.backend.url}/api/v2/sync/pull`);
    const events = (await (await fetch(`${fakes.backend.url}/__lab/events`)).json()) as Record<string, unknown>[];
    expect(events[0]).toMatchObject({ seq: 1, server: "backend", method: "GET", route: "/api/v2/sync/pull", status: 200, requestId: "rid-1", cookieNames: ["pb_stream_ticket", "other"] });
    expect(events[0]!.headerNames).toContain("x-request-id");
    expect(JSON.stringify(events)).not.toContain("t; other=v");
    expect(await (await fetch(`${fakes.backend.url}/__lab/stats`)).json()).toEqual({ requests: { "/api/v2/sync/pull": 2 } });
    await fetch(`${fakes.backend.url}/__lab/events`, { method: "DELETE" });
    expect(await (await fetch(`${fakes.backend.url}/__lab/events`)).json()).toEqual([]);
  });

  it("records a provider key only as a short hash", async () => {
    const key = "AIzaSyControlApiTestKey000000000000001";
    await fetch(`${fakes.gemini.url}/v1beta/models/gemini-2.5-flash:generateContent?key=${key}`, { method: "POST", headers: { "x-goog-api-key": key }, body: '{"contents":[{"parts":[{"text":"Reply with OK"}]}]}' });
    const events = await (await fetch(`${fakes.gemini.url}/__lab/events`)).text();
    expect(events).not.toContain(key);
    expect(events).toMatch(/"keyHash":"[0-9a-f]{12}"/);
    expect(events).toContain('"intent":"validate"');
  });
});

describe("fake wire formats", () => {
  it("Gemini rejects an invalid key with API_KEY_INVALID", async () => {
    const response = await fetch(`${fakes.gemini.url}/v1beta/models/gemini-2.5-flash:generateContent`, { method: "POST", headers: { "x-goog-api-key": "an-invalid-key" }, body: "{}" });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { status: "INVALID_ARGUMENT", details: [{ reason: "API_KEY_INVALID" }] } });
  });

  it("OpenRouter answers 401 without a bearer key and a chat completion with one", async () => {
    const url = `${fakes.openrouter.url}/api/v1/chat/completions`;
    const missing = await fetch(url, { method: "POST", body: "{}" });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error: { code: 401, message: "No auth credentials found" } });
    const ok = await fetch(url, { method: "POST", headers: { authorization: "Bearer sk-or-lab" }, body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "Analyze this note and return JSON with title, tags, type" }] }) });
    const body = (await ok.json()) as { choices: { message: { content: string } }[] };
    expect(JSON.parse(body.choices[0]!.message.content)).toMatchObject({ type: "NOTE" });
  });

  it("the events ticket sets the stream cookie on the events path", async () => {
    const response = await fetch(`${fakes.backend.url}/api/v2/events/ticket`, { method: "POST" });
    expect(response.headers.getSetCookie()[0]).toMatch(/^pb_stream_ticket=.*HttpOnly; Path=\/api\/v2\/events/);
  });
});

describe("replay", () => {
  async function recordRun(seed: number) {
    const control = createLabControl(seed);
    const server = await startFakeServer(backendService, control);
    control.addFaults({ route: "/api/v2/sync/pull", faults: [{ kind: "status", status: 503, probability: 0.4 }, { kind: "latency", ms: { min: 0, max: 20 } }] });
    for (let i = 0; i < 10; i += 1) await fetch(`${server.url}/api/v2/sync/pull`, { headers: { "x-request-id": `r${i}` } });
    await server.close();
    return control.events();
  }

  it("the same seed gives the same event log apart from timing", async () => {
    const first = await recordRun(99);
    const second = await recordRun(99);
    expect(withoutTiming(second)).toEqual(withoutTiming(first));
    expect(new Set(first.map((event) => event.status))).toEqual(new Set([200, 503]));
    expect(withoutTiming(await recordRun(100))).not.toEqual(withoutTiming(first));
  });
});
