import { describe, expect, it } from "vitest";
import { CASES } from "../conformance/cases";
import { conformanceHarness } from "../conformance/harness";
import { failingKv } from "../conformance/fakes";
import { groupsFor, runCase, type ConformanceTarget } from "../conformance/run";
import { realDeps } from "../src/deps";
import worker, { handleRequest } from "../src/index";
import { makeEnv } from "./fakes";

/**
 * docs/api.md conformance in plain Node, the way the PocketBrain repo imports the Worker: `default.fetch`
 * with Map-backed fakes, no DO binding (the in-memory fallback of §3.6/§3.7), the lab's fakes
 * and fault table (through msw) at the network edge.
 */
const { server, timers, logLines } = conformanceHarness();

/** One env (one KV) for the whole file, like workerd's per-file storage: the KV scan sees every connect. */
const env = makeEnv();

/** Cases with env overrides (e.g. a short provider timeout) run on virtual attempt timers. */
const virtualTimerDeps = { ...realDeps, timeout: timers.timeout };

const target: ConformanceTarget = {
  runner: "node",
  providerBases: { gemini: env.GEMINI_API_BASE!, openrouter: env.OPENROUTER_API_BASE! },
  network: server,
  clock: timers,
  send: (request, options) => {
    const bindings = { ...env, ...options.env, ...(options.kvOutage ? { AI_SESSIONS: failingKv() } : {}) };
    return options.env ? handleRequest(request, bindings, virtualTimerDeps) : worker.fetch(request, bindings);
  },
  onProviderHang: () => {
    timers.elapseNextTimer();
  },
  logLines,
  kvValues: async () => env.AI_SESSIONS.writes.map(({ key, value }) => ({ key, value })),
};

describe.each(groupsFor(CASES, "node"))("$spec (plain Node)", ({ cases }) => {
  it.each(cases)("$name", (c) => runCase(c, target));
});

it("saw the Worker's log lines, so the no-key-in-logs check above had something to check", () => {
  expect(logLines().some((line) => line.includes('"event":"request_failed"'))).toBe(true);
});
