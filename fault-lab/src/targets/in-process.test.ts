import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scheduleArbitrary } from "../explorer/arbitraries";
import { firstViolation } from "../invariants";
import { runSchedule } from "./in-process";
import type { Schedule } from "../steps/schedule";
import { eventLog } from "../trace/trace";

const circuitSchedule: Schedule = {
  version: 1,
  seed: 3,
  workerVars: { VPS_PROXY_RETRIES: "0" },
  steps: [
    { do: "setFaults", route: "*", server: "backend", faults: [{ kind: "hang" }] },
    { do: "request", label: "s1", path: "/api/v2/sync/pull", concurrency: 3 },
    { do: "wait", ms: 5_000 },
    { do: "request", label: "s3", path: "/api/v2/sync/pull" },
    { do: "clearFaults" },
    { do: "wait", ms: 15_000 },
    { do: "request", label: "s6", path: "/api/v2/sync/pull", concurrency: 5 },
    { do: "request", label: "s7", path: "/api/v2/events?events=4&intervalMs=3000" },
  ],
};

const providerHangSchedule: Schedule = {
  version: 1,
  seed: 5,
  workerVars: { PROVIDER_RETRIES: "0" },
  steps: [
    { do: "connect", provider: "gemini", as: "u1", key: "AIzaSyExploreru1Key0123456789" },
    { do: "setFaults", route: "*", server: "gemini", faults: [{ kind: "hang", ms: 11_000, times: 1 }] },
    { do: "request", label: "s2", path: "/api/v1/ai/search", method: "POST", body: { query: "plumber" }, as: "u1" },
    { do: "setFaults", route: "*", server: "gemini", faults: [{ kind: "hang" }] },
    { do: "request", label: "s4", path: "/api/v1/ai/search", method: "POST", body: { query: "plumber" }, as: "u1", concurrency: 5 },
    { do: "request", label: "s5", path: "/api/v1/ai/search", method: "POST", body: { query: "plumber" }, as: "u1" },
  ],
};

describe("in-process harness", () => {
  it("drives the real Worker on virtual time: timeouts, the open window and the half-open probe pass instantly", async () => {
    const started = performance.now();
    const trace = await runSchedule(circuitSchedule);
    expect(performance.now() - started).toBeLessThan(5_000);
    const byLabel = (label: string) => trace.exchanges.filter((exchange) => exchange.label === label);
    expect(byLabel("s1").map((exchange) => [exchange.status, exchange.envelope?.cause, exchange.headersAt - exchange.startedAt])).toEqual([
      [503, "timeout", 7_000],
      [503, "timeout", 7_000],
      [503, "timeout", 7_000],
    ]);
    expect(byLabel("s3")[0]).toMatchObject({ status: 503, retryAfter: "15", envelope: { cause: "circuit_open" } });
    const probeBurst = byLabel("s6");
    expect(probeBurst.filter((exchange) => exchange.status === 200)).toHaveLength(1);
    expect(probeBurst.filter((exchange) => exchange.envelope?.cause === "circuit_open")).toHaveLength(4);
    expect(byLabel("s7")[0]?.sse).toEqual({ events: 4, complete: true, error: null });
    expect(firstViolation(trace)).toBeNull();
  });

  it("drives the provider timeout on virtual time: slow headers pass, hangs become 504s and open the provider breaker", async () => {
    const trace = await runSchedule(providerHangSchedule);
    const byLabel = (label: string) => trace.exchanges.filter((exchange) => exchange.label === label);
    expect(byLabel("s2").map((exchange) => [exchange.status, exchange.headersAt - exchange.startedAt])).toEqual([[200, 11_000]]);
    expect(byLabel("s4").map((exchange) => [exchange.status, exchange.envelope?.cause, exchange.retryAfter, exchange.headersAt - exchange.startedAt])).toEqual(
      Array.from({ length: 5 }, () => [504, "provider_timeout", "5", 12_000]),
    );
    expect(byLabel("s5")[0]).toMatchObject({ status: 503, retryAfter: "30", envelope: { cause: "provider_circuit_open" } });
    expect(trace.attempts.filter((attempt) => attempt.server === "gemini")).toHaveLength(7);
    expect(firstViolation(trace)).toBeNull();
  });

  it("gives a byte-identical event log for the same schedule", async () => {
    const schedules = fc.sample(scheduleArbitrary(), { seed: 42, numRuns: 30 }).sort((a, b) => b.steps.length - a.steps.length).slice(0, 5);
    for (const schedule of [circuitSchedule, providerHangSchedule, ...schedules]) {
      const first = eventLog(await runSchedule(schedule));
      const second = eventLog(await runSchedule(schedule));
      expect(second).toBe(first);
    }
  });
});
