import { readFileSync, writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "./deploy";
import { readShippedConfig } from "./lib/shipped-config";
import { leakSurfaces, PRODUCTION_VARS, run, SECRET, sha256, Workspace } from "./test/helpers";

let ws: Workspace;
beforeEach(() => (ws = new Workspace().withProductionKv()));
afterEach(() => ws.dispose());

const METRICS_TOKEN = "metrics-token-deploy-test-7e1c9a4f2b8d3065";
const ADMIN_TOKEN = "admin-token-deploy-test-3a8f1c6e9b2d4710";
const ready = (extra: Record<string, string | undefined> = {}) => ws.env({ ...PRODUCTION_VARS, KEY_ENCRYPTION_SECRET: SECRET, METRICS_TOKEN, ADMIN_TOKEN, ...extra });

/** What the recorded `wrangler deploy` call would ship: its --config resolved for its --env by wrangler's own reader. */
async function shippedByDeployCall() {
  const deploy = ws.calls().findLast((call) => call.argv[0] === "deploy");
  if (!deploy) throw new Error("no deploy call was recorded");
  const config = deploy.argv[deploy.argv.indexOf("--config") + 1]!;
  const env = deploy.argv[deploy.argv.indexOf("--env") + 1]!;
  expect(deploy.env.configSha256, "the file wrangler deployed is the one on disk now").toBe(sha256(readFileSync(config, "utf8")));
  return readShippedConfig(config, env);
}

describe("worker:deploy", () => {
  it("writes the production settings into [env.production], checks them, then runs `wrangler deploy --env production`", async () => {
    const result = await run(main, { env: ready() });
    expect(result.code).toBe(0);
    expect(ws.commands()).toEqual(["deploy --env production"]);
    expect(result.stdout).toMatch(/production config OK[\s\S]*Deployed/);
    const shipped = await shippedByDeployCall();
    const { WORKER_ROUTE_MODE: _mode, ...vars } = PRODUCTION_VARS;
    expect(shipped.vars).toEqual({ DEFAULT_MODEL: "google/gemini-2.5-flash", ...vars });
    expect(shipped.workersDev).toBe(false);
    expect(shipped.keepVars).toBe(false);
    expect(shipped.name).toBe("pocketbrain-ai-proxy");
    expect(shipped.kvNamespaces).toEqual([{ binding: "AI_SESSIONS", id: "5f0e4d3c2b1a09f8e7d6c5b4a3928170" }]);
  });

  it("never writes or prints a secret or token", async () => {
    const result = await run(main, { env: ready() });
    expect(result.code).toBe(0);
    for (const secret of [SECRET, METRICS_TOKEN, ADMIN_TOKEN]) {
      expect(ws.toml()).not.toContain(secret);
      expect(leakSurfaces(ws, result)).not.toContain(secret);
    }
    expect(ws.calls().every((call) => !call.env.hasEncryptionSecretVar)).toBe(true);
  });

  it("is idempotent: the same settings leave wrangler.toml byte-identical; a changed one updates its line, comments kept", async () => {
    expect((await run(main, { env: ready() })).code).toBe(0);
    const first = ws.toml();
    const second = await run(main, { env: ready() });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("already holds these settings; unchanged");
    expect(ws.toml()).toBe(first);

    const third = await run(main, { env: ready({ VPS_API_ORIGIN: "https://api2.pocketbrain.app" }) });
    expect(third.code).toBe(0);
    expect(third.stdout).toContain("VPS_API_ORIGIN updated");
    const changed = ws.toml().split("\n").filter((line, i) => line !== first.split("\n")[i]);
    expect(changed).toEqual(['VPS_API_ORIGIN = "https://api2.pocketbrain.app"']);
    expect(ws.toml()).toContain("# The key-holding proxy is served only on the site's own /api/* route");
    expect((await shippedByDeployCall()).vars.VPS_API_ORIGIN).toBe("https://api2.pocketbrain.app");
  });

  it("writes WORKER_ROUTES into [env.production] routes, which ship", async () => {
    const result = await run(main, { env: ready({ WORKER_ROUTE_MODE: undefined, WORKER_ROUTES: "pocketbrain.app/api/*", WORKER_ZONE_NAME: "pocketbrain.app" }) });
    expect(result.code).toBe(0);
    expect((await shippedByDeployCall()).routes).toEqual(["pocketbrain.app/api/*"]);
  });

  it("refuses ALLOW_INSECURE_DEV_AUTH=true: no wrangler call, wrangler.toml untouched", async () => {
    const before = ws.toml();
    const result = await run(main, { env: ready({ ALLOW_INSECURE_DEV_AUTH: "true" }) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("- worker: ALLOW_INSECURE_DEV_AUTH must not be true in production");
    expect(ws.calls()).toEqual([]);
    expect(ws.toml()).toBe(before);
  });

  it("refuses workers_dev = true in production unless --allow-workers-dev or ALLOW_WORKERS_DEV=true", async () => {
    writeFileSync(ws.tomlPath, ws.toml().replace("workers_dev = false", "workers_dev = true"));
    const refused = await run(main, { env: ready() });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/- worker: workers_dev is true in \[env.production\]: the key-holding proxy would be public on \*\.workers\.dev/);
    expect(ws.calls()).toEqual([]);
    expect((await run(main, { argv: ["--allow-workers-dev"], env: ready() })).code).toBe(0);
    expect((await run(main, { env: ready({ ALLOW_WORKERS_DEV: "true" }) })).code).toBe(0);
    expect((await shippedByDeployCall()).workersDev).toBe(true);
  });

  it("checks what ships, not the shell: a setting only in the top-level [vars] is not inherited and is reported missing", async () => {
    writeFileSync(ws.tomlPath, ws.toml().replace("[vars]\n", '[vars]\nVPS_API_ORIGIN = "https://api.pocketbrain.app"\n'));
    const result = await run(main, { env: ready({ VPS_API_ORIGIN: undefined }) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/- worker: VPS_API_ORIGIN is required in production .*\(as shipped by \[env.production\]\)/);
    expect(ws.calls()).toEqual([]);
  });

  it("refuses a secret written into [env.production.vars] and NODE_ENV=development there", async () => {
    writeFileSync(ws.tomlPath, ws.toml().replace("[env.production.vars]\n", `[env.production.vars]\nMETRICS_TOKEN = "${"m".repeat(40)}"\nNODE_ENV = "development"\n`));
    const result = await run(main, { env: ready() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/- worker: METRICS_TOKEN is a secret but is in \[env.production\] vars/);
    expect(result.stderr).toMatch(/- worker: NODE_ENV is "development" in \[env.production\] vars/);
  });

  it("refuses a placeholder KV namespace id in [env.production]", async () => {
    const fresh = new Workspace();
    try {
      const result = await run(main, { env: fresh.env({ ...PRODUCTION_VARS, KEY_ENCRYPTION_SECRET: SECRET }) });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/- worker: kv_namespaces AI_SESSIONS in \[env.production\] has no real namespace id/);
    } finally {
      fresh.dispose();
    }
  });

  it("refuses a wrangler.toml without the production block: it would deploy a second Worker named <name>-production", async () => {
    const start = ws.toml().indexOf("# ------");
    writeFileSync(ws.tomlPath, ws.toml().slice(0, start));
    const result = await run(main, { env: ready() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/- worker: name would be "pocketbrain-ai-proxy-production": \[env.production\] must set name = "pocketbrain-ai-proxy"/);
    expect(result.stderr).toMatch(/- worker: workers_dev is true/);
    expect(ws.calls()).toEqual([]);
  });

  it("accepts a KEY_ENCRYPTION_SECRET that is only stored in Cloudflare", async () => {
    writeFileSync(ws.fakeState, JSON.stringify({ namespaces: [], secrets: ["KEY_ENCRYPTION_SECRET"] }));
    const result = await run(main, { env: ws.env(PRODUCTION_VARS) });
    expect(result.code).toBe(0);
    expect(ws.commands()).toEqual(["secret list --format json --env production", "deploy --env production"]);
  });

  it("refuses when the secret is neither in the environment nor in Cloudflare", async () => {
    const result = await run(main, { env: ws.env(PRODUCTION_VARS) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("- worker: KEY_ENCRYPTION_SECRET is not set");
    expect(ws.commands()).toEqual(["secret list --format json --env production"]);
  });

  it("reports a failed deploy with the next step", async () => {
    const result = await run(main, { env: ready({ FAKE_WRANGLER_MODE: "fail-on=deploy" }) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Deploying the Worker \(wrangler deploy --env production\) failed[\s\S]*Re-run `npm run worker:deploy`/);
  });
});
