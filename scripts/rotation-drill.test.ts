import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "./rotation-drill";
import { leakSurfaces, PRODUCTION_VARS, run, SECRET, sha256, Workspace, type IoOptions } from "./test/helpers";

let ws: Workspace;
beforeEach(() => (ws = new Workspace()));
afterEach(() => ws.dispose());

const METRICS_URL = "http://127.0.0.1:8787/api/v1/metrics";
const DAY_MS = 86_400_000;
const START = Date.UTC(2026, 10, 1, 9);

/** A manual clock and a metrics endpoint whose fallbackDecrypts the test controls. */
function world() {
  const clock = { now: START };
  const counters = { fallbackDecrypts: 0, reencryptSuccesses: 0, perRead: 0 };
  const fetched: string[] = [];
  const fetchMetrics = (async (input: string | URL | Request) => {
    fetched.push(String(input));
    const body = { reliability: { secretRotation: { fallbackDecrypts: counters.fallbackDecrypts, reencryptSuccesses: counters.reencryptSuccesses, decryptFailures: 0 } } };
    counters.fallbackDecrypts += counters.perRead;
    return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
  }) as typeof fetch;
  const sleeps: number[] = [];
  const drill = (argv: string[], env: Record<string, string | undefined> = {}, extra: Partial<IoOptions> = {}) =>
    run(main, { argv, env: ws.env({ ...PRODUCTION_VARS, ...env }), fetch: fetchMetrics, now: () => clock.now, sleeps, ...extra });
  return { clock, counters, fetched, sleeps, drill };
}

const stateFile = () => join(ws.opsHome, "rotation.json");
const state = () => JSON.parse(readFileSync(stateFile(), "utf8")) as Record<string, unknown>;

describe("worker:rotate", () => {
  it("runs the four steps: PREV = current, new active secret, deploy, metrics report", async () => {
    const { drill, counters } = world();
    counters.fallbackDecrypts = 2;
    counters.reencryptSuccesses = 2;
    const result = await drill(["--metrics-url", METRICS_URL], { KEY_ENCRYPTION_SECRET: SECRET });
    expect(result.code).toBe(0);
    expect(ws.commands()).toEqual(["secret put KEY_ENCRYPTION_SECRET_PREV --env production", "secret put KEY_ENCRYPTION_SECRET --env production", "deploy --env production"]);
    const [prev, active] = ws.calls();
    expect(prev!.stdinSha256).toBe(sha256(SECRET));
    expect(active!.stdinSha256).not.toBe(sha256(SECRET));
    expect(active!.stdinBytes).toBe(64);
    expect(result.stdout).toMatch(/Step 1\/4[\s\S]*Step 2\/4[\s\S]*Step 3\/4[\s\S]*Step 4\/4[\s\S]*fallbackDecrypts=2 reencryptSuccesses=2/);
    expect(result.stdout).toMatch(/worker:rotate -- --finish --metrics-url/);
    expect(state()).toMatchObject({ completedSteps: 4, rotatedAt: START, fallbackReading: { value: 2, at: START } });
    expect(leakSurfaces(ws, result)).not.toContain(SECRET);
    expect(readFileSync(stateFile(), "utf8")).not.toContain(SECRET);
  });

  it("writes the new secret only to --print-new-secret-to, mode 0600, and uploads exactly that value", async () => {
    const { drill } = world();
    const file = join(ws.dir, "new-secret.txt");
    const result = await drill(["--print-new-secret-to", file], { KEY_ENCRYPTION_SECRET: SECRET });
    expect(result.code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const fresh = readFileSync(file, "utf8").trim();
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(ws.calls()[1]!.stdinSha256).toBe(sha256(fresh));
    expect(leakSurfaces(ws, result)).not.toContain(fresh);
  });

  it.each([
    ["a missing current secret", {}, /- worker: KEY_ENCRYPTION_SECRET is not set/],
    ["a placeholder current secret", { KEY_ENCRYPTION_SECRET: "example-secret-example-secret-example" }, /placeholder/],
    ["a short current secret", { KEY_ENCRYPTION_SECRET: "short-current-secret-7" }, /too short/],
  ])("refuses %s before changing anything", async (_name, env, message) => {
    const { drill } = world();
    const result = await drill([], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(ws.calls()).toEqual([]);
  });

  it("prints how to resume after a failure mid-way, and --resume-from continues from there", async () => {
    const { drill } = world();
    const failed = await drill([], { KEY_ENCRYPTION_SECRET: SECRET, FAKE_WRANGLER_MODE: "fail-on=deploy" });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/step 3 failed[\s\S]*npm run worker:rotate -- --resume-from 3[\s\S]*roll back/);
    expect(state()).toMatchObject({ completedSteps: 2 });

    const refusedRestart = await drill([], { KEY_ENCRYPTION_SECRET: SECRET });
    expect(refusedRestart.code).toBe(1);
    expect(refusedRestart.stderr).toMatch(/not finished[\s\S]*--resume-from 3/);

    const skipAhead = await drill(["--resume-from", "4"]);
    expect(skipAhead.stderr).toMatch(/step 3 has not completed yet/);

    const resumed = await drill(["--resume-from", "3"]);
    expect(resumed.code).toBe(0);
    expect(ws.commands()).toEqual(["secret put KEY_ENCRYPTION_SECRET_PREV --env production", "secret put KEY_ENCRYPTION_SECRET --env production", "deploy --env production", "deploy --env production"]);
    expect(state()).toMatchObject({ completedSteps: 4 });
  });

  it("says nothing changed when step 1 fails", async () => {
    const { drill } = world();
    const result = await drill([], { KEY_ENCRYPTION_SECRET: SECRET, FAKE_WRANGLER_MODE: "network-error" });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/step 1 failed[\s\S]*could not reach the Cloudflare API[\s\S]*Nothing was changed/);
    expect(existsSync(stateFile())).toBe(false);
  });

  describe("--finish", () => {
    async function rotated() {
      const w = world();
      expect((await w.drill(["--metrics-url", METRICS_URL], { KEY_ENCRYPTION_SECRET: SECRET })).code).toBe(0);
      return w;
    }

    it("refuses before the session TTL has passed", async () => {
      const { drill, clock } = await rotated();
      clock.now = START + DAY_MS - 60_000;
      const result = await drill(["--finish"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/not deleting KEY_ENCRYPTION_SECRET_PREV[\s\S]*until 2026-11-02T09:00:00.000Z/);
      expect(ws.commands()).not.toContain("secret delete KEY_ENCRYPTION_SECRET_PREV --env production");
    });

    it("refuses while fallbackDecrypts keeps increasing, comparing with the recorded reading", async () => {
      const { drill, clock, counters } = await rotated();
      clock.now = START + DAY_MS + 1;
      counters.fallbackDecrypts = 7;
      const result = await drill(["--finish", "--metrics-url", METRICS_URL]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/fallbackDecrypts is still increasing/);
      expect(state()).toMatchObject({ fallbackReading: { value: 7 } });

      clock.now += 3_600_000;
      const later = await drill(["--finish", "--metrics-url", METRICS_URL]);
      expect(later.code).toBe(0);
      expect(ws.commands().at(-1)).toBe("secret delete KEY_ENCRYPTION_SECRET_PREV --env production");
      expect(state()).toMatchObject({ finishedAt: clock.now });
    });

    it("takes two readings N seconds apart when there is no usable recorded reading", async () => {
      const { drill, clock, counters, sleeps, fetched } = await rotated();
      clock.now = START + 2 * DAY_MS;
      // The recorded reading (50) is above the live counter (0): the isolate restarted, so the
      // recorded value says nothing and the drill samples twice; traffic still falls back meanwhile.
      writeFileSync(stateFile(), JSON.stringify({ ...state(), fallbackReading: { value: 50, at: START } }));
      counters.perRead = 1;
      const result = await drill(["--finish", "--metrics-url", METRICS_URL, "--interval", "30"]);
      expect(sleeps).toEqual([30_000]);
      expect(fetched.slice(-2)).toEqual([METRICS_URL, METRICS_URL]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/still increasing/);
    });

    it("deletes KEY_ENCRYPTION_SECRET_PREV with --force despite refusals", async () => {
      const { drill } = await rotated();
      const result = await drill(["--finish", "--force"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/--force: ignoring 1 refusal/);
      expect(ws.commands().at(-1)).toBe("secret delete KEY_ENCRYPTION_SECRET_PREV --env production");
    });
  });
});
