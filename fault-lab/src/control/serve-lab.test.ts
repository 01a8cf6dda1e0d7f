import { describe, expect, it } from "vitest";
import { createSimulation, type Simulation } from "../clock/virtual-clock";
import { backendService } from "../fakes/backend";
import { geminiService } from "../fakes/gemini";
import type { FakeService } from "../fakes/service";
import { parseFault } from "../faults/registry";
import { createLabControl, type LabControl } from "./lab-control";
import { serveLab, type LabAnswer } from "./serve-lab";

const START = Date.UTC(2026, 0, 1);
const BACKEND = "http://backend.test";

interface Run {
  sim: Simulation;
  control: LabControl;
  client: AbortController;
}

function setup(faults: unknown[], route = "*"): Run {
  const sim = createSimulation(START);
  const control = createLabControl(7, sim.now);
  const added = control.addFaults({ route, faults: faults as never });
  if (!added.ok) throw new Error(added.error);
  return { sim, control, client: new AbortController() };
}

/** Serves one request and drives virtual time until it is answered (or `until` says stop). */
async function serve(run: Run, path: string, init: RequestInit = {}, service: FakeService = backendService): Promise<LabAnswer | "pending"> {
  let answer: LabAnswer | "pending" = "pending";
  let failure: unknown;
  serveLab(run.control, service, new Request(`${BACKEND}${path}`, init), { clock: run.sim, signal: run.client.signal }).then(
    (value) => (answer = value),
    (error) => (failure = error),
  );
  await run.sim.runUntil(() => answer !== "pending" || failure !== undefined);
  if (failure !== undefined) throw failure;
  return answer;
}

/** Reads a body chunk by chunk, noting the virtual time each chunk arrived. */
async function readTimed(run: Run, response: Response): Promise<{ text: string; at: number[]; error: unknown }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const result = { text: "", at: [] as number[], error: undefined as unknown, done: false };
  void (async () => {
    try {
      for (;;) {
        const next = await reader.read();
        if (next.done) break;
        result.text += decoder.decode(next.value);
        result.at.push(run.sim.now() - START);
      }
    } catch (error) {
      result.error = error;
    }
    result.done = true;
  })();
  await run.sim.runUntil(() => result.done);
  return result;
}

const asResponse = (answer: LabAnswer | "pending"): Response => {
  if (!(answer instanceof Response)) throw new Error(`expected a Response, got ${String(answer)}`);
  return answer;
};

describe("serveLab: every fault through the core on the virtual clock", () => {
  it("latency answers after exactly the fixed delay, jittered delays from the seeded RNG", async () => {
    const run = setup([{ kind: "latency", ms: 1_500 }]);
    const response = asResponse(await serve(run, "/api/v2/sync/pull"));
    expect(response.status).toBe(200);
    expect(run.sim.now() - START).toBe(1_500);
    await response.text();
    expect(run.control.events()[0]).toMatchObject({ faults: ["latency"], status: 200, outcome: "answered", durationMs: 1_500 });
  });

  it("hang without ms never answers; the client leaving records client-gone with no status", async () => {
    const run = setup([{ kind: "hang" }]);
    void run.sim.sleep(30_000).then(() => run.client.abort(new Error("client timeout")));
    expect(await serve(run, "/api/v2/sync/pull")).toBe("reset");
    expect(run.sim.now() - START).toBe(30_000);
    expect(run.control.events()[0]).toMatchObject({ faults: ["hang"], status: null, outcome: "client-gone", durationMs: 30_000 });
  });

  it("hang with ms lets the fake answer after ms", async () => {
    const run = setup([{ kind: "hang", ms: 9_000 }]);
    expect(asResponse(await serve(run, "/api/v2/sync/pull")).status).toBe(200);
    expect(run.sim.now() - START).toBe(9_000);
  });

  it("status answers a burst with the fake's real error body, then passes through", async () => {
    const run = setup([{ kind: "status", status: 429, times: 1 }]);
    const first = asResponse(await serve(run, "/v1beta/models/gemini-2.5-flash:generateContent", { method: "POST", body: "{}", headers: { "x-request-id": "r1" } }, geminiService));
    expect(first.status).toBe(429);
    expect(first.headers.get("x-request-id")).toBe("r1");
    expect(await first.json()).toMatchObject({ error: { code: 429, status: "RESOURCE_EXHAUSTED" } });
    const second = asResponse(await serve(run, "/v1beta/models/gemini-2.5-flash:generateContent", { method: "POST", body: "{}", headers: { "x-goog-api-key": "AIzaSyGood" } }, geminiService));
    expect(second.status).toBe(200);
  });

  it("status and retry-after send Retry-After in seconds or as an HTTP-date on the clock, and report it", async () => {
    const run = setup([{ kind: "status", status: 503, retryAfter: 7, times: 1 }, { kind: "retry-after", dateOffset: 30, times: 1 }]);
    const seen: number[] = [];
    run.control.observe({ onRetryAfter: (_event, seconds) => void seen.push(seconds) });
    expect(asResponse(await serve(run, "/api/v2/sync/pull")).headers.get("retry-after")).toBe("7");
    const dated = asResponse(await serve(run, "/api/v2/sync/pull"));
    expect(dated.status).toBe(503);
    expect(Date.parse(dated.headers.get("retry-after")!)).toBe(START + 30_000);
    expect(seen).toEqual([7, 30]);
  });

  it("reset kills the exchange (optionally after afterMs) with no status", async () => {
    const run = setup([{ kind: "reset", afterMs: 250 }]);
    expect(await serve(run, "/api/v2/sync/pull")).toBe("reset");
    expect(run.sim.now() - START).toBe(250);
    expect(run.control.events()[0]).toMatchObject({ faults: ["reset"], status: null, outcome: "reset" });
  });

  it("malformed-json breaks the fake's own answer, or answers {status} at once", async () => {
    const run = setup([{ kind: "malformed-json" }]);
    const shaped = asResponse(await serve(run, "/api/v2/sync/pull"));
    expect(shaped.status).toBe(200);
    expect(shaped.headers.get("content-type")).toContain("application/json");
    await expect(shaped.json()).rejects.toThrow();
    run.control.resetFaults();
    run.control.addFaults({ route: "*", faults: [{ kind: "malformed-json", status: 502 }] });
    const direct = asResponse(await serve(run, "/api/v2/sync/pull"));
    expect(direct.status).toBe(502);
    await expect(direct.json()).rejects.toThrow();
  });

  it("sse-truncate errors the stream after N events, without the end event, recorded as reset", async () => {
    const run = setup([{ kind: "sse-truncate", afterEvents: 2 }]);
    const read = await readTimed(run, asResponse(await serve(run, "/api/v2/events?events=5&intervalMs=1000")));
    expect(read.text).toContain("id: 2");
    expect(read.text).not.toContain("id: 3");
    expect(read.text).not.toContain("event: end");
    expect(read.error).toBeInstanceOf(TypeError);
    expect(run.control.events()[0]).toMatchObject({ status: 200, outcome: "reset" });
  });

  it("sse-stall goes silent after N events until the client leaves", async () => {
    const run = setup([{ kind: "sse-stall", afterEvents: 1 }]);
    void run.sim.sleep(60_000).then(() => run.client.abort(new Error("client gave up")));
    const read = await readTimed(run, asResponse(await serve(run, "/api/v2/events?events=5&intervalMs=1000")));
    expect(read.text).toContain("id: 1");
    expect(read.text).not.toContain("id: 2");
    expect(read.at.at(-1)).toBe(0);
    expect(run.sim.now() - START).toBe(60_000);
    expect(run.control.events()[0]).toMatchObject({ status: 200, outcome: "client-gone" });
  });

  it("an unfaulted event stream paces its heartbeats on the clock (defaults 3 events, 100 ms)", async () => {
    const run = setup([]);
    const read = await readTimed(run, asResponse(await serve(run, "/api/v2/events")));
    expect(read.text.match(/event: heartbeat/g)).toHaveLength(3);
    expect(read.text).toContain("event: end");
    expect(run.sim.now() - START).toBe(200);
  });

  it("slow-body sends headers at once and the same bytes trickling, bytesPerChunk every intervalMs", async () => {
    const plain = await (asResponse(await serve(setup([]), "/api/v2/sync/pull"))).text();
    const run = setup([{ kind: "slow-body", bytesPerChunk: 32, intervalMs: 500 }]);
    const response = asResponse(await serve(run, "/api/v2/sync/pull"));
    expect(response.status).toBe(200);
    expect(run.sim.now()).toBe(START);
    const read = await readTimed(run, response);
    expect(read.text).toBe(plain);
    const chunks = Math.ceil(new TextEncoder().encode(plain).length / 32);
    expect(read.at).toEqual(Array.from({ length: chunks }, (_, index) => index * 500));
    expect(run.control.events()[0]).toMatchObject({ faults: ["slow-body"], status: 200, outcome: "answered", durationMs: (chunks - 1) * 500 });
  });

  it("slow-body also trickles a fault's own answer, and a client leaving mid-body is client-gone", async () => {
    const run = setup([{ kind: "slow-body", bytesPerChunk: 4, intervalMs: 1_000 }, { kind: "status", status: 503 }]);
    void run.sim.sleep(2_500).then(() => run.client.abort(new Error("client timeout")));
    const response = asResponse(await serve(run, "/api/v2/sync/pull"));
    expect(response.status).toBe(503);
    const read = await readTimed(run, response);
    expect(read.at).toEqual([0, 1_000, 2_000]);
    expect(read.error).toBeDefined();
    expect(run.control.events()[0]).toMatchObject({ faults: ["slow-body", "status"], status: 503, outcome: "client-gone", durationMs: 2_500 });
  });

  it.each([
    [{ kind: "slow-body", intervalMs: 10 }, "slow-body.bytesPerChunk is required"],
    [{ kind: "slow-body", bytesPerChunk: 0, intervalMs: 10 }, "slow-body.bytesPerChunk must be an integer in 1.."],
    [{ kind: "slow-body", bytesPerChunk: 8 }, "slow-body.intervalMs is required"],
    [{ kind: "slow-body", bytesPerChunk: 8, intervalMs: "fast" }, "slow-body.intervalMs must be an integer"],
  ])("slow-body rejects %j naming the field", (spec, message) => {
    const parsed = parseFault(spec);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });

  it("records the attempt's names only (headers, cookies) and hashes a key in the query", async () => {
    const run = setup([]);
    await serve(run, "/api/v2/sync/pull?key=AIzaSySecret&x=1", { headers: { cookie: "pb_stream_ticket=t; other=v", "x-request-id": "r9" } });
    const event = run.control.events()[0]!;
    expect(event).toMatchObject({ requestId: "r9", cookieNames: ["pb_stream_ticket", "other"], headerNames: ["cookie", "x-request-id"] });
    expect(event.query).toMatch(/^\?key=sha256%3A[0-9a-f]{12}&x=1$/);
    expect(JSON.stringify(event)).not.toContain("AIzaSySecret");
  });

  it("the events ticket sets pb_stream_ticket, as the real backend does", async () => {
    const response = asResponse(await serve(setup([]), "/api/v2/events/ticket", { method: "POST" }));
    expect(response.headers.getSetCookie()).toEqual([expect.stringMatching(/^pb_stream_ticket=ticket-1; HttpOnly; Path=\/api\/v2\/events/)]);
  });
});
