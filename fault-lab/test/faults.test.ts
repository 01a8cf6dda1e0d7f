import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FAULT_KINDS, parseFault } from "../src/faults/registry";
import { startFakes, type Fakes } from "./helpers";

let fakes: Fakes;
beforeAll(async () => {
  fakes = await startFakes();
});
afterAll(() => fakes.close());
beforeEach(() => {
  fakes.control.resetFaults();
  fakes.control.clearEvents();
});

const PULL = "/api/v2/sync/pull";
const pull = (init?: RequestInit) => fetch(`${fakes.backend.url}${PULL}`, init);

function addFaults(route: string, faults: unknown[]): void {
  const added = fakes.control.addFaults({ route, faults: faults as never });
  if (!added.ok) throw new Error(added.error);
}

describe("fault registry", () => {
  it("lists the valid kinds when a kind is unknown", () => {
    const parsed = parseFault({ kind: "teleport" });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) for (const kind of FAULT_KINDS) expect(parsed.error).toContain(kind);
  });

  it.each([
    [{ kind: "status" }, "status.status is required"],
    [{ kind: "status", status: 503, retryAfter: 1, retryAfterDate: 2 }, "not both"],
    [{ kind: "latency", ms: { min: 10, max: 5 } }, "latency.ms"],
    [{ kind: "status", status: 503, probability: 2 }, "probability"],
    [{ kind: "status", status: 503, times: 0 }, "times"],
    [{ kind: "sse-truncate" }, "afterEvents"],
    [{ kind: "retry-after" }, "seconds"],
    [{ kind: "status", status: 200, echoRequestId: "no" }, "status.echoRequestId"],
    [{ kind: "status", status: 200, headers: ["content-type"] }, "status.headers must be an object"],
    [{ kind: "status", status: 200, headers: { "bad name": "x" } }, 'status.headers["bad name"]'],
    [{ kind: "status", status: 200, headers: { "x-split": "a\r\nset-cookie: b" } }, 'status.headers["x-split"]'],
  ])("rejects %j naming the field", (spec, message) => {
    const parsed = parseFault(spec);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });
});

describe("fault apply", () => {
  it("status with times answers a burst, then passes through", async () => {
    addFaults(PULL, [{ kind: "status", status: 503, times: 2 }]);
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await pull()).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(fakes.control.events().map((event) => event.faults)).toEqual([["status"], ["status"], []]);
  });

  it("status sends Retry-After in seconds or as an HTTP-date", async () => {
    addFaults(PULL, [{ kind: "status", status: 503, retryAfter: 7, times: 1 }, { kind: "retry-after", dateOffset: 30, times: 1 }]);
    expect((await pull()).headers.get("retry-after")).toBe("7");
    const date = (await pull()).headers.get("retry-after")!;
    const seconds = (Date.parse(date) - Date.now()) / 1000;
    expect(seconds).toBeGreaterThan(27);
    expect(seconds).toBeLessThanOrEqual(31);
  });

  it("status echoes the request's x-request-id unless echoRequestId is false", async () => {
    addFaults(PULL, [{ kind: "status", status: 503, times: 1 }, { kind: "status", status: 503, echoRequestId: false, times: 1 }]);
    const send = () => fetch(`${fakes.backend.url}${PULL}`, { headers: { "x-request-id": "req-echo-1" } });
    expect((await send()).headers.get("x-request-id")).toBe("req-echo-1");
    expect((await send()).headers.get("x-request-id")).toBeNull();
  });

  it("status without a body uses the provider's real error body", async () => {
    fakes.control.addFaults({ route: "*", server: "gemini", faults: [{ kind: "status", status: 429, times: 1 }] });
    const response = await fetch(`${fakes.gemini.url}/v1beta/models/gemini-2.5-flash:generateContent`, { method: "POST", body: "{}" });
    expect(response.status).toBe(429);
    expect(await response.json()).toMatchObject({ error: { code: 429, status: "RESOURCE_EXHAUSTED" } });
  });

  it("latency delays the answer by at least the fixed amount", async () => {
    addFaults(PULL, [{ kind: "latency", ms: 150 }]);
    const started = Date.now();
    expect((await pull()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("hang sends no headers until the client gives up", async () => {
    addFaults(PULL, [{ kind: "hang" }]);
    await expect(pull({ signal: AbortSignal.timeout(200) })).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fakes.control.events()[0]).toMatchObject({ outcome: "client-gone", status: null, faults: ["hang"] });
  });

  it("reset destroys the connection", async () => {
    addFaults(PULL, [{ kind: "reset" }]);
    await expect(pull()).rejects.toThrow();
    expect(fakes.control.events()[0]).toMatchObject({ outcome: "reset", status: null });
  });

  it("sse-truncate cuts the stream after N events without the end event", async () => {
    addFaults("/api/v2/events", [{ kind: "sse-truncate", afterEvents: 2 }]);
    const response = await fetch(`${fakes.backend.url}/api/v2/events?events=5&intervalMs=5`);
    const text = await response.text().catch(() => "cut");
    expect(text).not.toContain("event: end");
    expect(text).not.toContain("id: 3");
  });

  it("sse-stall stops sending after N events but keeps the connection open", async () => {
    addFaults("/api/v2/events", [{ kind: "sse-stall", afterEvents: 1 }]);
    const response = await fetch(`${fakes.backend.url}/api/v2/events?events=5&intervalMs=5`, { signal: AbortSignal.timeout(400) });
    const reader = response.body!.getReader();
    let text = "";
    await expect(
      (async () => {
        for (;;) {
          const chunk = await reader.read();
          if (chunk.done) return;
          text += new TextDecoder().decode(chunk.value);
        }
      })(),
    ).rejects.toThrow();
    expect(text).toContain("id: 1");
    expect(text).not.toContain("id: 2");
  });

  it("malformed-json keeps the JSON content-type and breaks the body", async () => {
    addFaults(PULL, [{ kind: "malformed-json" }]);
    const response = await pull();
    expect(response.headers.get("content-type")).toContain("application/json");
    await expect(response.json()).rejects.toThrow();
  });

  it("probability draws from the seeded RNG, so the same seed picks the same requests", async () => {
    const pattern = async () => {
      fakes.control.resetFaults();
      fakes.control.clearEvents();
      fakes.control.reseed(42);
      addFaults(PULL, [{ kind: "status", status: 500, probability: 0.5 }]);
      const statuses = [];
      for (let i = 0; i < 12; i += 1) statuses.push((await pull()).status);
      return statuses;
    };
    const first = await pattern();
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await pattern()).toEqual(first);
  });
});
