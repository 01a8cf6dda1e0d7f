import { describe, expect, it } from "vitest";
import { runSchedule } from "../targets/in-process";
import { explorerHtml } from "../explorer/report";
import { SCHEDULE_VERSION } from "../steps/schedule";
import type { LabEvent } from "../control/lab-control";
import type { ClientRecord, ScenarioRun } from "../scenario/records";
import { traceTimeline } from "./from-trace";
import { scenarioTimeline } from "./from-scenario";
import { circuitBands } from "./model";
import { renderTimelineSvg, tickStep } from "./svg";

const STARTED = 1_000_000;

function response(index: number, t: number, status: number, cause?: string, retryAfter: string | null = null): ClientRecord {
  return { label: "pull", index, t, method: "GET", path: "/api/v2/sync/pull", status, ms: 5, ...(cause ? { cause } : {}), retryAfter, headers: {}, setCookies: [], body: "" };
}

function attempt(seq: number, t: number, status: number, server: LabEvent["server"] = "backend"): LabEvent {
  return { seq, t: STARTED + t, server, method: "GET", route: "/api/v2/sync/pull", query: "", faults: status >= 500 ? ["status"] : [], status, outcome: "answered", requestId: null, headerNames: [], cookieNames: [], durationMs: 2 };
}

/** Three 503s open the circuit for 20 s; a rejected request; after the window one probe succeeds, then normal traffic. */
const circuitRun: ScenarioRun = {
  name: "circuit",
  description: "",
  seed: 1,
  startedAt: STARTED,
  durationMs: 23_000,
  steps: [{ t: 0, step: "fail ×3" }, { t: 21_000, step: "after the window" }],
  responses: {
    pull: [
      response(0, 0, 503, "upstream_5xx"),
      response(1, 100, 503, "upstream_5xx"),
      response(2, 200, 503, "upstream_5xx", "20"),
      response(3, 1000, 503, "circuit_open", "19"),
      response(4, 21_000, 200),
      response(5, 21_100, 200),
    ],
  },
  events: [attempt(1, 1, 503), attempt(2, 101, 503), attempt(3, 201, 503), attempt(4, 21_001, 200), attempt(5, 21_101, 200), attempt(6, 22_000, 200, "gemini")],
  circuit: [
    { t: 0, state: "closed", remainingMs: 0 },
    { t: 250, state: "open", remainingMs: 19_950 },
    { t: 500, state: "open", remainingMs: 19_700 },
    { t: 20_750, state: "half-open", remainingMs: 0 },
    { t: 21_250, state: "closed", remainingMs: 0 },
  ],
  results: [],
  passed: true,
};

describe("lab scenario timeline", () => {
  it("has a lane per actor: client, Worker, backend, then each provider seen", () => {
    expect(scenarioTimeline(circuitRun).lanes).toEqual(["client", "Worker", "backend", "gemini"]);
  });

  it("marks exactly one probe: the first backend attempt after the circuit left closed", () => {
    const probes = scenarioTimeline(circuitRun).spans.filter((span) => span.mark === "probe");
    expect(probes).toHaveLength(1);
    expect(probes[0]).toMatchObject({ lane: "backend", from: 21_001, tone: "ok" });
  });

  it("marks circuit_open answers as the Worker's own and draws the first Retry-After as a countdown", () => {
    const timeline = scenarioTimeline(circuitRun);
    expect(timeline.spans.filter((span) => span.mark === "reject")).toEqual([expect.objectContaining({ lane: "Worker", from: 1005 })]);
    // The 19 s Retry-After given inside the first countdown is not drawn over it.
    expect(timeline.countdowns).toEqual([{ lane: "client", from: 205, to: 20_205, label: "Retry-After 20 s" }]);
  });

  it("turns the polled circuit state into bands, the open one carrying its window", () => {
    expect(scenarioTimeline(circuitRun).circuit).toEqual([
      { from: 0, to: 250, state: "closed", remainingMs: 0 },
      { from: 250, to: 20_750, state: "open", remainingMs: 19_950 },
      { from: 20_750, to: 21_250, state: "half-open", remainingMs: 0 },
      { from: 21_250, to: 23_000, state: "closed", remainingMs: 0 },
    ]);
  });
});

describe("circuit bands", () => {
  it("keeps a single sample as a band to the end", () => {
    expect(circuitBands([{ t: 5, state: "closed", remainingMs: 0 }], 10)).toEqual([{ from: 5, to: 10, state: "closed", remainingMs: 0 }]);
  });
});

describe("timeline SVG", () => {
  const svg = renderTimelineSvg(scenarioTimeline(circuitRun), "circuit <scenario>");

  it("draws the open window with its Retry-After, the lanes and the probe", () => {
    expect(svg).toContain("open · Retry-After 20 s");
    expect(svg.match(/class="mark tone-ok probe"/g)).toHaveLength(1);
    for (const lane of ["client", "Worker", "backend", "gemini", "circuit"]) expect(svg).toContain(`class="lane-name">${lane}</text>`);
  });

  it("is self-contained and escapes what it prints", () => {
    expect(svg).toContain('aria-label="circuit &lt;scenario&gt;"');
    expect(svg).not.toMatch(/<script|href=|url\(|@import/);
    expect(svg.replace('xmlns="http://www.w3.org/2000/svg"', "")).not.toContain("http");
  });

  it("picks 1-2-5 tick steps", () => {
    expect(tickStep(23_000)).toBe(5000);
    expect(tickStep(900)).toBe(100);
    expect(tickStep(0)).toBe(0.1);
  });
});

describe("explorer trace timeline", () => {
  it("marks the attempt made while half-open as the probe, from a real in-process run", async () => {
    const trace = await runSchedule({
      version: SCHEDULE_VERSION,
      seed: 3,
      workerVars: { VPS_PROXY_RETRIES: "0", VPS_PROXY_CIRCUIT_OPEN_MS: "5000" },
      steps: [
        { do: "setFaults", route: "*", server: "backend", faults: [{ kind: "status", status: 503, times: 3 }] },
        { do: "request", label: "a", path: "/api/v2/sync/pull" },
        { do: "request", label: "b", path: "/api/v2/sync/pull" },
        { do: "request", label: "c", path: "/api/v2/sync/pull" },
        { do: "request", label: "rejected", path: "/api/v2/sync/pull" },
        { do: "wait", ms: 6000 },
        { do: "request", label: "probe", path: "/api/v2/sync/pull" },
      ],
    });
    const timeline = traceTimeline(trace);
    const probes = timeline.spans.filter((span) => span.mark === "probe");
    expect(probes).toHaveLength(1);
    expect(probes[0]?.tone).toBe("ok");
    expect(timeline.spans.some((span) => span.mark === "reject")).toBe(true);
    expect(timeline.circuit.map((band) => band.state)).toEqual(expect.arrayContaining(["closed", "open"]));
    expect(timeline.steps).toHaveLength(7);

    const html = explorerHtml(
      { seed: 3, runs: 1, schedules: 1, steps: 7, invariantsChecked: 1, elapsedMs: 5, failure: { violation: { invariant: "single-probe", message: "m" }, schedule: trace.schedule, path: null, shrinks: 0, foundAfterMs: 1, file: null } },
      "in-process",
      trace,
    );
    expect(html).toContain("Counter-example timeline");
    expect(html).toMatch(/<svg[^>]*class="timeline-chart"/);
    expect(html).toContain('class="mark tone-ok probe"');
  });
});
