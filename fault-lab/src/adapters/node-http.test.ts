import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLabControl, withoutTiming, type LabControl, type LabEvent } from "../control/lab-control";
import { backendService } from "../fakes/backend";
import { createUpstreamFetch, UPSTREAM_ORIGINS } from "./in-process";
import { startFakeServer, type FakeServer } from "./node-http";
import { createSimulation } from "../clock/virtual-clock";
import type { Clock } from "../clock/clock";

/** Waits run instantly: the adapter is under test here, not the fault windows (those run on the virtual clock in serve-lab.test.ts). */
const instantClock: Clock = { now: () => Date.UTC(2026, 0, 1), sleep: async (_ms, signal) => signal?.throwIfAborted() };

let control: LabControl;
let server: FakeServer;
beforeAll(async () => {
  control = createLabControl(3, instantClock.now);
  server = await startFakeServer(backendService, control, instantClock);
});
afterAll(() => server.close());
beforeEach(() => {
  control.resetFaults();
  control.clearEvents();
});

function addFaults(faults: unknown[], route = "*"): void {
  const added = control.addFaults({ route, faults: faults as never });
  if (!added.ok) throw new Error(added.error);
}

/** Resolves with the attempt's event once it is settled (headers out, reset, or the client left). */
function nextSettled(): Promise<LabEvent> {
  return new Promise((resolve) => {
    const stop = control.observe({
      onSettled(event) {
        stop();
        resolve(event);
      },
    });
  });
}

describe("node-http adapter on a real socket", () => {
  it("a reset fault drops the connection: the client's fetch fails, the event says reset", async () => {
    addFaults([{ kind: "reset" }]);
    await expect(fetch(`${server.url}/api/v2/sync/pull`)).rejects.toThrow(TypeError);
    expect(control.events()[0]).toMatchObject({ faults: ["reset"], status: null, outcome: "reset" });
  });

  it("a hang holds the headers until the client leaves, then records client-gone", async () => {
    addFaults([{ kind: "hang" }]);
    const client = new AbortController();
    const stop = control.observe({ onAttempt: () => client.abort(new Error("client gives up")) });
    const settled = nextSettled();
    await expect(fetch(`${server.url}/api/v2/sync/pull`, { signal: client.signal })).rejects.toThrow();
    stop();
    expect(await settled).toMatchObject({ faults: ["hang"], status: null, outcome: "client-gone" });
  });

  it("a stalled stream keeps the socket open after the sent events until the client leaves", async () => {
    addFaults([{ kind: "sse-stall", afterEvents: 1 }]);
    const client = new AbortController();
    const response = await fetch(`${server.url}/api/v2/events?events=3`, { signal: client.signal });
    const reader = response.body!.getReader();
    let text = "";
    while (!text.includes("id: 1")) text += new TextDecoder().decode((await reader.read()).value);
    client.abort(new Error("client gives up"));
    await expect(reader.read()).rejects.toThrow();
    await new Promise<void>((resolve) => {
      const poll = () => (control.events()[0]!.outcome === "pending" ? setImmediate(poll) : resolve());
      poll();
    });
    expect(text).not.toContain("id: 2");
    expect(control.events()[0]).toMatchObject({ status: 200, outcome: "client-gone" });
  });

  it("sends each Set-Cookie as its own header line and echoes x-request-id", async () => {
    const response = await fetch(`${server.url}/api/v2/lab/hostile-cookies`, { method: "POST", headers: { "x-request-id": "req-7" } });
    expect(response.headers.getSetCookie().map((line) => line.split("=")[0])).toEqual(["pb_ai_session", "pb_stream_ticket", "backend_tracking"]);
    expect(response.headers.get("x-request-id")).toBe("req-7");
    expect(control.events()[0]).toMatchObject({ requestId: "req-7", outcome: "answered", status: 200 });
  });

  it("serves the /__lab/ control API on the same port", async () => {
    const posted = await fetch(`${server.url}/__lab/faults`, { method: "POST", body: JSON.stringify({ route: "*", faults: [{ kind: "slow-body", bytesPerChunk: 0 }] }) });
    expect(posted.status).toBe(400);
    expect(await posted.json()).toMatchObject({ error: expect.stringContaining("slow-body.bytesPerChunk"), validKinds: expect.arrayContaining(["slow-body"]) });
  });

  it("closes the connection after an answer when an observer asks for it", async () => {
    const stop = control.observe({ onAttempt: (_event, shaping) => void (shaping.closeConnection = true) });
    const response = await fetch(`${server.url}/api/v2/sync/pull`);
    stop();
    expect(response.headers.get("connection")).toBe("close");
  });
});

describe("in-process and Node adapters give the same answer for the same request and fault", () => {
  const cases: [string, unknown[], string, RequestInit][] = [
    ["status with Retry-After", [{ kind: "status", status: 503, retryAfter: 7 }], "/api/v2/sync/pull", {}],
    ["malformed JSON", [{ kind: "malformed-json" }], "/api/v2/sync/pull", {}],
    ["slow body", [{ kind: "slow-body", bytesPerChunk: 5, intervalMs: 200 }], "/api/v2/sync/push", { method: "POST", body: JSON.stringify({ changes: [{ id: "n1" }] }) }],
    ["events ticket", [], "/api/v2/events/ticket", { method: "POST" }],
    ["cut stream", [{ kind: "sse-truncate", afterEvents: 1 }], "/api/v2/events?events=3", {}],
  ];
  const HEADERS = ["content-type", "retry-after", "set-cookie", "x-request-id"];

  const summary = async (response: Response, events: LabEvent[]) => ({
    status: response.status,
    headers: HEADERS.map((name) => response.headers.get(name)),
    body: await response.text().catch(() => "<cut>"),
    events: withoutTiming(events).map(({ headerNames: _names, ...rest }) => rest),
  });

  it.each(cases)("%s", async (_name, faults, path, init) => {
    addFaults(faults);
    const init2 = { ...init, headers: { "x-request-id": "parity-1" } };
    const overNode = await fetch(`${server.url}${path}`, init2);
    const nodeSummary = await summary(overNode, []);
    await new Promise<void>((resolve) => {
      const poll = () => (control.events()[0]?.outcome === "pending" ? setImmediate(poll) : resolve());
      poll();
    });
    nodeSummary.events = withoutTiming(control.events()).map(({ headerNames: _names, ...rest }) => rest);

    const sim = createSimulation(Date.UTC(2026, 0, 1));
    const local = createLabControl(3, sim.now);
    local.addFaults({ route: "*", faults: faults as never });
    const upstream = createUpstreamFetch(local, sim, { onAttempt: () => undefined, onRetryAfter: () => undefined });
    let result: Awaited<ReturnType<typeof summary>> | undefined;
    void upstream(`${UPSTREAM_ORIGINS.backend}${path}`, { ...init2, signal: new AbortController().signal })
      .then((response) => summary(response, []))
      .then((value) => (result = value));
    await sim.runUntil(() => result !== undefined);
    result!.events = withoutTiming(local.events()).map(({ headerNames: _names, ...rest }) => rest);
    expect(result).toEqual(nodeSummary);
  });
});
