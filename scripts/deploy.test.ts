import { writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "./deploy";
import { leakSurfaces, PRODUCTION_VARS, run, SECRET, Workspace } from "./test/helpers";

let ws: Workspace;
beforeEach(() => (ws = new Workspace()));
afterEach(() => ws.dispose());

describe("worker:deploy", () => {
  it("checks the production config, then runs `wrangler deploy`", async () => {
    const result = await run(main, { env: ws.env({ ...PRODUCTION_VARS, KEY_ENCRYPTION_SECRET: SECRET }) });
    expect(result.code).toBe(0);
    expect(ws.commands()).toEqual(["deploy"]);
    expect(result.stdout).toMatch(/production config OK[\s\S]*Deployed/);
    expect(leakSurfaces(ws, result)).not.toContain(SECRET);
  });

  it("refuses to deploy a config that fails the production check, without calling wrangler", async () => {
    const result = await run(main, { env: ws.env({ ...PRODUCTION_VARS, ALLOW_INSECURE_DEV_AUTH: "true", KEY_ENCRYPTION_SECRET: SECRET }) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("- worker: ALLOW_INSECURE_DEV_AUTH must not be true in production");
    expect(ws.calls()).toEqual([]);
  });

  it("ignores worker/.dev.vars and refuses NODE_ENV=development in wrangler.toml [vars]", async () => {
    writeFileSync(ws.tomlPath, ws.toml().replace("[vars]\n", '[vars]\nNODE_ENV = "development"\n'));
    const result = await run(main, { env: ws.env({ ...PRODUCTION_VARS, KEY_ENCRYPTION_SECRET: SECRET }) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/- worker: NODE_ENV is "development" in .*\[vars\]/);
    expect(ws.calls()).toEqual([]);
  });

  it("accepts a KEY_ENCRYPTION_SECRET that is only stored in Cloudflare", async () => {
    writeFileSync(ws.fakeState, JSON.stringify({ namespaces: [], secrets: ["KEY_ENCRYPTION_SECRET"] }));
    const result = await run(main, { env: ws.env(PRODUCTION_VARS) });
    expect(result.code).toBe(0);
    expect(ws.commands()).toEqual(["secret list --format json", "deploy"]);
  });

  it("refuses when the secret is neither in the environment nor in Cloudflare", async () => {
    const result = await run(main, { env: ws.env(PRODUCTION_VARS) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("- worker: KEY_ENCRYPTION_SECRET is not set");
    expect(ws.commands()).toEqual(["secret list --format json"]);
  });

  it("reports a failed deploy with the next step", async () => {
    const result = await run(main, { env: ws.env({ ...PRODUCTION_VARS, KEY_ENCRYPTION_SECRET: SECRET, FAKE_WRANGLER_MODE: "fail-on=deploy" }) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Deploying the Worker \(wrangler deploy\) failed[\s\S]*Re-run `npm run worker:deploy`/);
  });
});
