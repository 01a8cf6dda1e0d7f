import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CASES } from "../conformance/cases";
import { conformanceHarness } from "../conformance/harness";
import { failingKv } from "../conformance/fakes";
import { groupsFor, runCase, type ConformanceTarget } from "../conformance/run";
import type { WorkerEnv } from "../src/env";
import { realDeps } from "../src/deps";
import { handleRequest } from "../src/index";

/**
 * docs/api.md conformance on workerd with the real KV and Durable Object bindings. Cases without env
 * overrides go through SELF.fetch (the deployed entry point); a case that needs other variables calls
 * the Worker's handler with the same bindings plus those variables.
 */
const { server, timers, logLines } = conformanceHarness();

const bindings = env as unknown as WorkerEnv & { AI_SESSIONS: KVNamespace };

async function kvValues(): Promise<{ key: string; value: string }[]> {
  const entries: { key: string; value: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await bindings.AI_SESSIONS.list(cursor ? { cursor } : {});
    for (const { name } of page.keys) {
      const value = await bindings.AI_SESSIONS.get(name);
      if (value !== null) entries.push({ key: name, value });
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return entries;
}

/** Cases with env overrides (e.g. a short provider timeout) run on virtual attempt timers. */
const virtualTimerDeps = { ...realDeps, timeout: timers.timeout };

const target: ConformanceTarget = {
  runner: "workerd",
  providerBases: { gemini: bindings.GEMINI_API_BASE!, openrouter: bindings.OPENROUTER_API_BASE! },
  network: server,
  clock: timers,
  send: (request, options) =>
    options.env || options.kvOutage
      ? handleRequest(request, { ...bindings, ...options.env, ...(options.kvOutage ? { AI_SESSIONS: failingKv() } : {}) }, virtualTimerDeps)
      : SELF.fetch(request),
  onProviderHang: () => {
    timers.elapseNextTimer();
  },
  kvValues,
  logLines,
};

describe.each(groupsFor(CASES, "workerd"))("$spec (workerd)", ({ cases }) => {
  it.each(cases)("$name", (c) => runCase(c, target));
});

it("saw the Worker's log lines, so the no-key-in-logs check above had something to check", () => {
  expect(logLines().some((line) => line.includes('"event":"request_failed"'))).toBe(true);
});
