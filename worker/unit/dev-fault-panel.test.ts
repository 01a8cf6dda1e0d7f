import { afterEach, describe, expect, it, vi } from "vitest";
import { FAULT_PANEL_LOGIC_JS } from "../src/dev/fault-panel-logic";
import { parseFaultRequest } from "../src/dev/lab-control";
import { parseConfig } from "../src/config";
import worker from "../src/index";
import { makeEnv } from "./fakes";

const CONTROL = "http://127.0.0.1:9555/__lab";
const PAGE = "http://127.0.0.1:8787";
const env = (overrides = {}) => makeEnv({ DEV_FAULT_CONTROL_URL: CONTROL, ...overrides });
const send = (path: string, init: RequestInit = {}, e = env()) => worker.fetch(new Request(`${PAGE}${path}`, init), e);
const write = (method: "POST" | "DELETE", body?: unknown, headers: Record<string, string> = {}) =>
  send("/__dev/lab/faults", { method, headers: { origin: PAGE, "content-type": "application/json", ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

/** Records what the Worker sends to the fakes' control API and answers like it. */
function fakeControl(answer: (url: string, init: RequestInit) => Response) {
  const calls: { url: string; method: string; body: string | null }[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init = {}) => {
    const url = String(input instanceof Request ? input.url : input);
    calls.push({ url, method: init.method ?? "GET", body: typeof init.body === "string" ? init.body : null });
    return answer(url, init);
  });
  return calls;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("fault panel bridge /__dev/lab/* (development, loopback)", () => {
  it("forwards a fault rule to the control API and answers 201 with the faults in force", async () => {
    const calls = fakeControl(() => Response.json({ faults: [{ route: "*", server: "backend", faults: [{ kind: "status", status: 503, remaining: 3 }] }] }, { status: 201 }));
    const rule = { server: "backend", route: "*", faults: [{ kind: "status", status: 503, times: 3 }] };
    const response = await write("POST", rule);
    expect(response.status).toBe(201);
    expect(calls).toEqual([{ url: `${CONTROL}/faults`, method: "POST", body: JSON.stringify(rule) }]);
    expect(((await response.json()) as { faults: unknown[] }).faults).toHaveLength(1);
  });

  it("clears faults with DELETE and lists them with GET", async () => {
    const calls = fakeControl((_url, init) => (init.method === "DELETE" ? new Response(null, { status: 204 }) : Response.json([])));
    expect((await write("DELETE")).status).toBe(204);
    expect(await (await send("/__dev/lab/faults")).json()).toEqual({ faults: [] });
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual([`DELETE ${CONTROL}/faults`, `GET ${CONTROL}/faults`]);
  });

  it("passes on only the timeline's fields of the fakes' events, never header names or key hashes", async () => {
    fakeControl(() => Response.json([{ seq: 1, t: 5, server: "gemini", method: "POST", route: "/v1beta/x", query: "key=1", faults: ["status"], status: 503, outcome: "answered", requestId: "r", headerNames: ["x-goog-api-key"], cookieNames: [], keyHash: "abc" }]));
    const body = (await (await send("/__dev/lab/events")).json()) as { events: Record<string, unknown>[] };
    expect(body.events).toEqual([{ seq: 1, t: 5, server: "gemini", method: "POST", route: "/v1beta/x", status: 503, outcome: "answered", faults: ["status"], durationMs: null }]);
  });

  it.each([
    ["another origin", { origin: "http://evil.example" }],
    ["no origin", { origin: "" }],
    ["a form post", { "content-type": "text/plain" }],
  ])("refuses a write from %s without calling the fakes", async (_label, headers) => {
    const calls = fakeControl(() => new Response(null, { status: 204 }));
    const response = await write("POST", { server: "backend", route: "*", faults: [{ kind: "hang" }] }, headers);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("BAD_REQUEST");
    expect(calls).toHaveLength(0);
  });

  it("answers 400 naming the problem when the fake refuses a fault, and 503 when the fakes are down", async () => {
    fakeControl(() => Response.json({ error: 'unknown fault kind "melt"' }, { status: 400 }));
    const refused = await write("POST", { server: "backend", route: "*", faults: [{ kind: "melt" }] });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('unknown fault kind "melt"');
    vi.restoreAllMocks();
    vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("connect ECONNREFUSED"));
    const down = await send("/__dev/lab/faults");
    expect(down.status).toBe(503);
    expect(await down.text()).not.toContain("ECONNREFUSED");
  });

  it("is 503 with the fix when the stack did not set DEV_FAULT_CONTROL_URL", async () => {
    const response = await send("/__dev/lab/faults", {}, makeEnv());
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("DEV_FAULT_CONTROL_URL");
  });

  it.each([
    ["production", `${PAGE}/__dev/lab/faults`, { NODE_ENV: "production" }],
    ["a public host", "https://proxy.pocketbrain.app/__dev/lab/faults", {}],
  ])("is 404 in %s and never calls the fakes", async (_label, url, overrides) => {
    const calls = fakeControl(() => Response.json([]));
    const response = await worker.fetch(new Request(url), env(overrides));
    expect(response.status).toBe(404);
    expect(calls).toHaveLength(0);
  });
});

describe("DEV_FAULT_CONTROL_URL", () => {
  it.each([
    ["http://127.0.0.1:9555/__lab/", "http://127.0.0.1:9555/__lab"],
    ["http://localhost:9555/__lab", "http://localhost:9555/__lab"],
    ["http://10.0.0.2:9555/__lab", null],
    ["https://lab.example.com/__lab", null],
    ["http://127.0.0.1:9555/__lab?x=1", null],
    ["not a url", null],
  ])("%s → %s", (value, expected) => {
    const config = parseConfig(makeEnv({ DEV_FAULT_CONTROL_URL: value }));
    expect(config.devFaultControlUrl).toBe(expected);
    if (expected === null) expect(config.problems.map((p) => p.variable)).toContain("DEV_FAULT_CONTROL_URL");
  });

  it("is ignored outside development", () => {
    expect(parseConfig(makeEnv({ NODE_ENV: "production", DEV_FAULT_CONTROL_URL: CONTROL })).devFaultControlUrl).toBeNull();
  });
});

describe("fault request validation", () => {
  it.each([
    [null, /JSON object/],
    [{ server: "vps", route: "*", faults: [{}] }, /server must be one of backend, gemini, openrouter/],
    [{ server: "backend", route: "api", faults: [{}] }, /route must be/],
    [{ server: "backend", route: "/a b", faults: [{}] }, /route must be/],
    [{ server: "backend", route: "*", faults: [] }, /1\.\.4/],
    [{ server: "backend", route: "*", faults: [1] }, /must be an object/],
  ])("refuses %j", (raw, message) => {
    const parsed = parseFaultRequest(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });
});

interface PanelLogic {
  faultPreset(preset: string, server: string, count: unknown, retryAfter: unknown): { server: string; route: string; faults: Record<string, unknown>[] };
  findProbes(events: { seq: number; t: number; server: string }[], history: { t: number; state: string }[]): number[];
  describeFaults(rules: unknown): string[];
}

/** Evaluates exactly the source text the browser receives. */
const logic = new Function(`${FAULT_PANEL_LOGIC_JS}\nreturn { faultPreset, findProbes, describeFaults };`)() as PanelLogic;

describe("fault panel logic (the shipped browser source)", () => {
  it("builds the three presets as control-API rules", () => {
    expect(logic.faultPreset("5xx", "backend", "3", "5")).toEqual({ server: "backend", route: "*", faults: [{ kind: "status", status: 503, times: 3 }] });
    expect(logic.faultPreset("hang", "gemini", 2, 5)).toEqual({ server: "gemini", route: "*", faults: [{ kind: "hang", times: 2 }] });
    expect(logic.faultPreset("429", "openrouter", 1, "7")).toEqual({ server: "openrouter", route: "*", faults: [{ kind: "status", status: 429, retryAfter: 7, times: 1 }] });
    expect(logic.faultPreset("5xx", "elsewhere", "x", 0).server).toBe("backend");
    expect(logic.faultPreset("5xx", "backend", 999, 0).faults[0]?.times).toBe(50);
  });

  it("marks only the first backend attempt after the circuit left closed as the probe", () => {
    const history = [{ t: 0, state: "closed" }, { t: 100, state: "open" }, { t: 6000, state: "half-open" }, { t: 6200, state: "closed" }];
    const events = [
      { seq: 1, t: 50, server: "backend" },
      { seq: 2, t: 6100, server: "backend" },
      { seq: 3, t: 6150, server: "backend" },
      { seq: 4, t: 6120, server: "gemini" },
      { seq: 5, t: 7000, server: "backend" },
    ];
    expect(logic.findProbes(events, history)).toEqual([2]);
    expect(logic.findProbes(events, [])).toEqual([]);
  });

  it("describes the faults in force with what is left of them", () => {
    expect(logic.describeFaults([{ route: "*", server: "backend", faults: [{ kind: "status", status: 429, retryAfter: 7, remaining: 1 }, { kind: "hang", remaining: null }] }])).toEqual([
      "backend *: 429 Retry-After 7 s (1 left)",
      "backend *: hang (until cleared)",
    ]);
    expect(logic.describeFaults("nonsense")).toEqual([]);
  });
});
