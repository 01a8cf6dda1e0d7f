import { describe, expect, it } from "vitest";
import { breakdownTable, compare, comparisonLine, resultTable, type TargetResult } from "./report";
import { readCompatibility, workerdConfig } from "./workerd";
import { parseWrkLine, wrkScript, type WrkResult } from "./wrk";

const wrk = (p50Ms: number, p99Ms: number, requestsPerSec: number, resolutionMs = 0.001): WrkResult => ({
  requests: requestsPerSec * 5,
  durationSec: 5,
  requestsPerSec,
  p50Ms,
  p99Ms,
  maxMs: p99Ms,
  non2xx: 0,
  socketErrors: 0,
  resolutionMs,
});
const target = (name: string, p50: number, p99: number, rps: number): TargetResult => ({ name, latency: wrk(p50, p99, 1000), throughput: wrk(5, 20, rps) });

describe("wrk", () => {
  it("scripts the request and a done() hook that prints one JSON line", () => {
    const script = wrkScript({ method: "POST", body: '{"a":"]]"}', headers: { "content-type": "application/json" } });
    expect(script).toContain('wrk.method = "POST"');
    expect(script).toContain('wrk.body = [==[{"a":"]]"}]==]');
    expect(script).toContain("wrk.headers[ [==[content-type]==] ] = [==[application/json]==]");
    expect(script).toContain("latency:percentile(99)");
  });

  it("parses the done() line from µs into ms and req/s", () => {
    const parsed = parseWrkLine('WRK_JSON {"requests":5000,"duration_us":2000000,"p50_us":450,"p99_us":12000,"max_us":40000,"non2xx":3,"socket_errors":1}');
    expect(parsed).toEqual({ requests: 5000, durationSec: 2, requestsPerSec: 2500, p50Ms: 0.45, p99Ms: 12, maxMs: 40, non2xx: 3, socketErrors: 1, resolutionMs: 0.001 });
    expect(parseWrkLine("Running 5s test @ http://127.0.0.1:1/")).toBeUndefined();
  });
});

describe("workerd config", () => {
  it("binds vars as text, serves on 127.0.0.1 with an OS-chosen port and lets fetch reach loopback only", () => {
    const config = workerdConfig({ mainModule: "index.js", compatibilityDate: "2026-11-01", compatibilityFlags: ["nodejs_compat"], bindings: { VPS_API_ORIGIN: "http://127.0.0.1:4000" } });
    expect(config).toContain('address = "127.0.0.1:0"');
    expect(config).toContain('network = (allow = ["local"])');
    expect(config).toContain('globalOutbound = "loopback"');
    expect(config).toContain('(name = "VPS_API_ORIGIN", text = "http://127.0.0.1:4000")');
    expect(config).toContain('esModule = embed "index.js"');
  });

  it("escapes quotes and refuses non-printable values", () => {
    expect(workerdConfig({ mainModule: "w.js", compatibilityDate: "2026-11-01", compatibilityFlags: [], bindings: { A: 'x"y' } })).toContain('text = "x\\"y"');
    expect(() => workerdConfig({ mainModule: "w.js", compatibilityDate: "2026-11-01", compatibilityFlags: [], bindings: { A: "a\nb" } })).toThrow(/printable/);
  });

  it("reads compatibility date and flags from wrangler.toml", () => {
    const toml = 'name = "x"\ncompatibility_date = "2026-11-01"\ncompatibility_flags = ["nodejs_compat", "other"]\n';
    expect(readCompatibility(toml)).toEqual({ compatibilityDate: "2026-11-01", compatibilityFlags: ["nodejs_compat", "other"] });
  });
});

describe("report", () => {
  it("compares latency at c=1 as a difference and throughput at c=50 as a ratio", () => {
    const c = compare(target("worker", 0.8, 9, 2500), target("direct", 0.05, 1, 50_000));
    expect(c.addedP50Ms).toBeCloseTo(0.75);
    expect(c.addedP99Ms).toBeCloseTo(8);
    expect(c.throughputRatio).toBeCloseTo(0.05);
    expect(comparisonLine("added-latency", c)).toBe("added-latency p50=0.750 p99=8.000 throughput-ratio=0.050");
  });

  it("tabulates every target's percentiles in microseconds with its non-2xx count", () => {
    const table = resultTable([target("direct", 0.0514, 1, 50_000)]);
    expect(table.split("\n")[0]).toMatch(/^target\s+c=1 p50 µs\s+c=1 p99 µs\s+c=50 req\/s\s+c=50 p50 µs/);
    expect(table).toMatch(/direct\s+51\s+1000\s+50000\s+5000\s+20000\s+0\/255000$/);
  });

  it("refuses to print percentiles a whole-millisecond tool measured, but keeps its throughput", () => {
    const coarse: TargetResult = { name: "direct", latency: wrk(0, 1, 1000, 1), throughput: wrk(1, 2, 40_000, 1) };
    expect(resultTable([coarse])).toMatch(/direct\s+n\/a\s+n\/a\s+40000\s+n\/a\s+n\/a/);
    const c = compare(coarse, target("worker", 0.8, 9, 2500));
    expect(comparisonLine("added-latency", c)).toBe("added-latency p50=n/a p99=n/a throughput-ratio=16.000");
  });
});

describe("breakdown table", () => {
  it("reports medians over rounds against the baseline's medians, with the req/s spread", () => {
    const table = breakdownTable(
      [
        { name: "trivial", p50Ms: [0.5, 0.4, 0.6], requestsPerSec: [5000, 6000, 4000] },
        { name: "variant", p50Ms: [0.7, 0.55, 0.6], requestsPerSec: [2500, 4500, 3000] },
      ],
      "trivial",
    );
    const [, trivial, variant] = table.split("\n");
    expect(trivial?.split(/\s{2,}/)).toEqual(["trivial", "0.500", "0.000", "5000", "4000..6000", "1.000"]);
    expect(variant?.split(/\s{2,}/)).toEqual(["variant", "0.600", "0.100", "3000", "2500..4500", "0.600"]);
  });

  it("refuses a baseline with no samples", () => {
    expect(() => breakdownTable([{ name: "variant", p50Ms: [1], requestsPerSec: [1] }], "trivial")).toThrow(/baseline "trivial"/);
  });
});
