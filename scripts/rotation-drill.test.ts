import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { open } from "../worker/src/crypto";
import { parseStoredRecord } from "../worker/src/sessions";
import { createFakeKv, type FakeKv } from "../worker/unit/fakes";
import { seedRecords, type SeedPlan } from "../worker/unit/rotation-records";
import { main } from "./rotation-drill";
import { startLocalWorker } from "./test/local-worker";
import { leakSurfaces, PRODUCTION_VARS, run, SECRET, sha256, Workspace, type IoOptions } from "./test/helpers";

const METRICS_TOKEN = "metrics-token-rotation-test-5b2e8c1a7f4d9036";
const ADMIN_TOKEN = "admin-token-rotation-test-9d4a7c2e1f6b8305";
const WRONG = "wrong-current-secret-for-the-drill-8c3f1a6e2d9b47";
const PLAN: SeedPlan = { sessions: { v2: 300, "v2-no-metadata": 150, legacy: 100 }, accounts: { v2: 250, "v2-no-metadata": 100, legacy: 100 } };

let ws: Workspace;
let worker: Awaited<ReturnType<typeof startLocalWorker>>;
let kv: FakeKv;
/** The "Cloudflare" side: which secrets the local Worker runs with, as the drill's uploads set them. */
let secrets: { active: string; previous?: string };
let newSecretFile: string;

beforeEach(async () => {
  ws = new Workspace().withProductionKv();
  kv = createFakeKv();
  secrets = { active: SECRET };
  newSecretFile = join(ws.dir, "new-secret.txt");
  worker = await startLocalWorker(() => ({
    AI_SESSIONS: kv,
    KEY_ENCRYPTION_SECRET: secrets.active,
    ...(secrets.previous ? { KEY_ENCRYPTION_SECRET_PREV: secrets.previous } : {}),
    METRICS_TOKEN,
    ADMIN_TOKEN,
  }));
});
afterEach(async () => {
  await worker.close();
  ws.dispose();
});

/** Runs the drill with the real fetch against the local Worker; after the fake wrangler "uploads" step 1 and 2, the Worker runs with them. */
function drill(argv: string[], env: Record<string, string | undefined> = {}, extra: Partial<IoOptions> = {}) {
  return run(main, { argv, env: ws.env({ ...PRODUCTION_VARS, WORKER_URL: worker.url, ADMIN_TOKEN, METRICS_TOKEN, ...env }), fetch: (input, init) => fetch(input, init), ...extra });
}

/** Steps 1–2 as Cloudflare would apply them: PREV = the secret given as current, active = the file's new secret. */
function deployUploadedSecrets(currentGiven: string): void {
  secrets = { active: readFileSync(newSecretFile, "utf8").trim(), previous: currentGiven };
}

const stateFile = () => join(ws.opsHome, "rotation.json");
const state = () => JSON.parse(readFileSync(stateFile(), "utf8")) as Record<string, unknown>;

async function rotateWith(currentGiven: string) {
  // Steps 1–3 first (the sweep needs the new secret live), then step 4 against the "deployed" Worker.
  const upToDeploy = await drill(["--print-new-secret-to", newSecretFile], { KEY_ENCRYPTION_SECRET: currentGiven, FAKE_WRANGLER_MODE: "ok", WORKER_URL: undefined });
  expect(upToDeploy.code, upToDeploy.all).toBe(1);
  expect(upToDeploy.stderr).toMatch(/step 4 failed[\s\S]*WORKER_URL is not set[\s\S]*--resume-from 4/);
  deployUploadedSecrets(currentGiven);
  return drill(["--resume-from", "4"]);
}

describe("worker:rotate against a running Worker", () => {
  it("rotates 1,000 records (sessions, accounts, legacy) with nothing lost: sweep → finish → every record opens with the new secret alone", async () => {
    const seeded = await seedRecords(kv, SECRET, PLAN, Date.now());
    const swept = await rotateWith(SECRET);
    expect(swept.code, swept.all).toBe(0);
    expect(swept.stdout).toMatch(/Sweep done in \d+ page\(s\): 1000 on the old key, 200 legacy, 0 current, 1000 re-sealed, 0 foreign key id, 0 unreadable/);
    expect(swept.stdout).toMatch(/One isolate's counters: fallbackDecrypts=/);
    expect(state()).toMatchObject({ completedSteps: 4, lastSweep: { oldKey: 1000, resealed: 1000 } });

    const finished = await drill(["--finish"]);
    expect(finished.code, finished.all).toBe(0);
    expect(finished.stdout).toMatch(/0 on the old key, 0 legacy, 1000 current[\s\S]*No record is left on the previous secret/);
    expect(ws.commands()).toEqual([
      "secret put KEY_ENCRYPTION_SECRET_PREV --env production",
      "secret put KEY_ENCRYPTION_SECRET --env production",
      "deploy --env production",
      "secret delete KEY_ENCRYPTION_SECRET_PREV --env production",
    ]);
    expect(ws.calls()[0]!.stdinSha256).toBe(sha256(SECRET));
    expect(ws.calls()[1]!.stdinSha256).toBe(sha256(secrets.active));

    secrets = { active: secrets.active };
    expect(kv.deletes).toEqual([]);
    expect(kv.entries.size).toBe(1000);
    for (const record of seeded) {
      const stored = parseStoredRecord(kv.entries.get(record.key)!.value)!;
      expect(await open(stored.encryptedApiKey, { active: secrets.active, previous: null }, record.key), record.key).toMatchObject({ ok: true, value: { plaintext: record.apiKey } });
    }
    for (const result of [swept, finished]) {
      const surfaces = leakSurfaces(ws, result);
      for (const secret of [SECRET, secrets.active, ADMIN_TOKEN, METRICS_TOKEN]) expect(surfaces).not.toContain(secret);
    }
    expect(readFileSync(stateFile(), "utf8")).not.toContain(SECRET);
  });

  it("with a wrong 'current' secret as PREV deletes nothing, reports foreign records, and --finish refuses", async () => {
    await seedRecords(kv, SECRET, PLAN, Date.now());
    const snapshot = new Map([...kv.entries].map(([key, entry]) => [key, entry.value]));
    const swept = await rotateWith(WRONG);
    expect(swept.code, swept.all).toBe(0);
    expect(swept.stdout).toMatch(/0 on the old key, 0 legacy, 0 current, 0 re-sealed, 800 foreign key id, 200 unreadable/);
    expect(swept.stdout).toMatch(/may be wrong/);
    const finished = await drill(["--finish"]);
    expect(finished.code).toBe(1);
    expect(finished.stderr).toMatch(/not deleting KEY_ENCRYPTION_SECRET_PREV[\s\S]*800 record\(s\) carry a key id[\s\S]*may be the wrong secret/);
    expect(ws.commands()).not.toContain("secret delete KEY_ENCRYPTION_SECRET_PREV --env production");
    expect(kv.deletes).toEqual([]);
    for (const [key, value] of snapshot) expect(kv.entries.get(key)?.value).toBe(value);
  });

  it("--finish refuses while records are still on the old key, and --force overrides", async () => {
    await seedRecords(kv, SECRET, { sessions: { v2: 3, "v2-no-metadata": 0, legacy: 1 }, accounts: { v2: 2, "v2-no-metadata": 0, legacy: 0 } }, Date.now());
    secrets = { active: "a-brand-new-active-secret-2c7e9f1a4b6d8035", previous: SECRET };
    const refused = await drill(["--finish"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/6 record\(s\) are still sealed under the previous secret[\s\S]*1 record\(s\) are still in the original's legacy format/);
    expect(ws.commands()).toEqual([]);
    const forced = await drill(["--finish", "--force"]);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/--force: ignoring 2 refusal/);
    expect(ws.commands()).toEqual(["secret delete KEY_ENCRYPTION_SECRET_PREV --env production"]);
  });

  it("stops with a clear message when ADMIN_TOKEN does not match the Worker's", async () => {
    secrets = { active: "a-brand-new-active-secret-2c7e9f1a4b6d8035", previous: SECRET };
    const result = await drill(["--finish"], { ADMIN_TOKEN: "admin-token-that-is-wrong-0000000000000000" });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/answered 404 to the re-seal sweep: ADMIN_TOKEN does not match/);
    expect(result.all).not.toContain(ADMIN_TOKEN);
  });

  it("reads the remote metrics only with METRICS_TOKEN (a wrong one is a clear failure)", async () => {
    await seedRecords(kv, SECRET, { sessions: { v2: 1, "v2-no-metadata": 0, legacy: 0 }, accounts: { v2: 0, "v2-no-metadata": 0, legacy: 0 } }, Date.now());
    const wrong = await (async () => {
      await drill(["--print-new-secret-to", newSecretFile], { KEY_ENCRYPTION_SECRET: SECRET, WORKER_URL: undefined });
      deployUploadedSecrets(SECRET);
      return drill(["--resume-from", "4"], { METRICS_TOKEN: "metrics-token-that-is-wrong-00000000000000" });
    })();
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/could not read metrics from .*\/api\/v1\/metrics \(HTTP 404\)[\s\S]*METRICS_TOKEN matches/);
    const right = await drill(["--resume-from", "4"]);
    expect(right.code, right.all).toBe(0);
    expect(right.stdout).toMatch(/One isolate's counters/);
  });
});

describe("worker:rotate steps", () => {
  it.each([
    ["a missing current secret", {}, /refusing to set KEY_ENCRYPTION_SECRET|KEY_ENCRYPTION_SECRET is not set/],
    ["a placeholder current secret", { KEY_ENCRYPTION_SECRET: "example-secret-example-secret-example" }, /placeholder/],
    ["a short current secret", { KEY_ENCRYPTION_SECRET: "short-current-secret-7" }, /too short/],
  ])("refuses %s before changing anything", async (_name, env, message) => {
    const result = await drill([], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(ws.calls()).toEqual([]);
  });

  it("prints how to resume after a failure mid-way, and --resume-from continues from there", async () => {
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
    expect(resumed.code, resumed.all).toBe(0);
    expect(ws.commands()).toEqual(["secret put KEY_ENCRYPTION_SECRET_PREV --env production", "secret put KEY_ENCRYPTION_SECRET --env production", "deploy --env production", "deploy --env production"]);
    expect(state()).toMatchObject({ completedSteps: 4 });
  });

  it("says nothing changed when step 1 fails", async () => {
    const result = await drill([], { KEY_ENCRYPTION_SECRET: SECRET, FAKE_WRANGLER_MODE: "network-error" });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/step 1 failed[\s\S]*could not reach the Cloudflare API[\s\S]*Nothing was changed/);
    expect(existsSync(stateFile())).toBe(false);
  });
});
