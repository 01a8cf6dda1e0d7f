import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateScenario } from "../scenario/validate";
import { scheduleArbitrary } from "./arbitraries";
import { CLIENT_IP } from "../targets/client";
import { explore, judgeSchedule } from "./explore";
import { runSchedule } from "../targets/in-process";
import { HOSTILE_JAR, HOSTILE_RAW_JAR, isHostileExchange } from "../hostile-client";
import { isHostileAttack, withoutHostile } from "./hostile";
import { describeStep } from "../steps/describe";
import { toFoundScenario, validateSchedule, type Schedule } from "../steps/schedule";
import { eventLog } from "../trace/trace";

const tinyBudget = { do: "request" as const, label: "s1", path: "/api/v2/sync/pull", as: HOSTILE_RAW_JAR, headers: { "cf-connecting-ip": "203.0.113.66", "x-timeout-ms": "1" } };

/** Backend answers 503 once; the attacker's tiny-budget pull comes first, then the honest pull. */
const oneFault: Schedule = {
  version: 1,
  seed: 9,
  workerVars: { VPS_PROXY_RETRIES: "0", VPS_PROXY_CIRCUIT_FAILURE_THRESHOLD: "3" },
  steps: [{ do: "setFaults", route: "*", server: "backend", faults: [{ kind: "status", status: 503, times: 1 }] }, tinyBudget, { do: "request", label: "s2", path: "/api/v2/sync/pull" }, { do: "request", label: "s3", path: "/api/v2/sync/pull" }],
};

/** The attacker's account with a quota-spent key, refused calls, then an honest user. */
const refusedKey: Schedule = {
  version: 1,
  seed: 4,
  workerVars: { PROVIDER_RETRIES: "2" },
  steps: [
    { do: "connect", provider: "gemini", as: HOSTILE_JAR, key: "AIzaSyMalloryQuotaKey0123456789" },
    { do: "request", label: "s1", method: "POST", path: "/api/v1/ai/analyze", body: { content: "Mallory\u0000 note" }, as: HOSTILE_JAR, concurrency: 3 },
    { do: "connect", provider: "gemini", as: "u1", key: "AIzaSyExploreru1Key0123456789" },
    { do: "request", label: "s3", method: "POST", path: "/api/v1/ai/analyze", body: { content: "call the plumber" }, as: "u1" },
  ],
};

describe("hostile client", () => {
  it("generates valid schedules whose attacks use the attacker's jars and never an honest client's IP", () => {
    fc.assert(
      fc.property(scheduleArbitrary(12, { hostile: true }), (schedule) => {
        expect(validateSchedule(JSON.parse(JSON.stringify(schedule))).ok).toBe(true);
        expect(validateScenario(JSON.parse(JSON.stringify(toFoundScenario(schedule, { seed: 1, path: null, invariant: "isolation", message: "m", runtime: "in-process" })))).ok).toBe(true);
        for (const step of schedule.steps) {
          if (step.do === "request" && step.as?.startsWith("mallory")) expect(step.headers?.["cf-connecting-ip"]).not.toBe(CLIENT_IP);
          if (step.do === "request" && !isHostileAttack(step)) expect(step.headers?.["x-timeout-ms"]).toBeUndefined();
        }
      }),
      { numRuns: 200 },
    );
    const sampled = fc.sample(scheduleArbitrary(12, { hostile: true }), { numRuns: 200, seed: 1 });
    expect(sampled.filter((schedule) => schedule.steps.some(isHostileAttack)).length).toBeGreaterThan(100);
  });

  it("its attempts bypass the fault table: the one 503 still hits the honest pull, in both runs", async () => {
    const run = await runSchedule(oneFault);
    const honest = run.exchanges.filter((exchange) => !isHostileExchange(exchange));
    expect(honest.map((exchange) => exchange.status)).toEqual([503, 200]);
    const twin = await runSchedule(withoutHostile(oneFault, run));
    expect(twin.exchanges.map((exchange) => exchange.status)).toEqual([503, 200]);
  });

  it("the twin replaces each attack by a wait of its virtual length, so honest steps start at the same instants", async () => {
    const run = await runSchedule(refusedKey);
    const twinSchedule = withoutHostile(refusedKey, run);
    expect(twinSchedule.steps.map((step) => step.do)).toEqual(["connect", "wait", "connect", "request"]);
    const twin = await runSchedule(twinSchedule);
    expect(twin.steps.map((step) => step.t)).toEqual(run.steps.map((step) => step.t));
    // The attacker's connect (its key is accepted), then its three refused calls.
    expect(run.exchanges.filter((exchange) => exchange.jar === HOSTILE_JAR).map((exchange) => exchange.status)).toEqual([200, 429, 429, 429]);
    expect((await judgeSchedule(refusedKey, (next) => runSchedule(next), true)).violation).toBeNull();
  });

  it("prints an attack's headers and body, with the key's letters and digits masked", () => {
    const line = describeStep({ do: "request", label: "s0", method: "POST", path: "/api/v1/auth/connect", as: HOSTILE_RAW_JAR, body: { provider: "gemini", apiKey: "AIzaSyMallory\u0000Key01" }, headers: { "x-timeout-ms": "1" } });
    expect(line).toBe('POST /api/v1/auth/connect as mallory-raw headers {"x-timeout-ms":"1"} body {"provider":"gemini","apiKey":"xxxxxxxxxxxxx\\u0000xxxxx"}');
    expect(line).not.toContain("Mallory");
  });

  it("with a custom runner (workerd) the attacker is mixed in only when asked, and isolation is never checked", async () => {
    const seen: Schedule[] = [];
    const runner = (schedule: Schedule) => (seen.push(schedule), runSchedule(schedule));
    const asked = await explore({ runs: 30, seed: 1, foundDir: null, hostile: true, runSchedule: runner });
    expect([asked.failure, asked.twinRuns, asked.invariantsChecked]).toEqual([null, 0, 11]);
    expect(seen.some((schedule) => schedule.steps.some(isHostileAttack))).toBe(true);
    seen.length = 0;
    await explore({ runs: 30, seed: 1, foundDir: null, runSchedule: runner });
    expect(seen.some((schedule) => schedule.steps.some(isHostileAttack))).toBe(false);
  });

  it("same schedule, same event log, attacker included", async () => {
    expect(eventLog(await runSchedule(refusedKey))).toBe(eventLog(await runSchedule(refusedKey)));
  });
});
