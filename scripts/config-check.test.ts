import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "./config-check";
import { PRODUCTION_VARS, run, SECRET, Workspace } from "./test/helpers";

let ws: Workspace;
beforeEach(() => (ws = new Workspace()));
afterEach(() => ws.dispose());

const check = (env: Record<string, string | undefined>) => run(main, { env: ws.env(env) });
const production = { ...PRODUCTION_VARS, KEY_ENCRYPTION_SECRET: SECRET };

describe("config:check:worker", () => {
  it("passes a complete production config with one OK line", async () => {
    const result = await check(production);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^✔ worker config OK \(production rules;/);
    expect(result.all).not.toContain(SECRET);
  });

  it("treats unset NODE_ENV as production and lists every problem as `- worker: <VARIABLE> …`", async () => {
    const result = await check({});
    expect(result.code).toBe(1);
    const lines = result.stderr.split("\n").filter((line) => line.startsWith("- worker: "));
    expect(lines.map((line) => line.split(" ")[2])).toEqual(["KEY_ENCRYPTION_SECRET", "CLERK_JWKS_URL", "VPS_API_ORIGIN", "routes"]);
  });

  it.each([
    ["production without Clerk", { CLERK_JWKS_URL: undefined, CLERK_ISSUER: undefined, CLERK_AUDIENCE: undefined }, "CLERK_JWKS_URL", /Clerk is required in production/],
    ["partial Clerk", { CLERK_AUDIENCE: undefined }, "CLERK_JWKS_URL", /partial: missing CLERK_AUDIENCE/],
    ["insecure dev auth in production", { ALLOW_INSECURE_DEV_AUTH: "true" }, "ALLOW_INSECURE_DEV_AUTH", /must not be true in production/],
    ["an http VPS origin", { VPS_API_ORIGIN: "http://api.pocketbrain.app" }, "VPS_API_ORIGIN", /must use https/],
    ["a missing VPS origin", { VPS_API_ORIGIN: undefined }, "VPS_API_ORIGIN", /is required in production/],
    ["missing routes", { WORKER_ROUTE_MODE: undefined }, "routes", /are missing in .*wrangler\.toml/],
    ["a placeholder secret", { KEY_ENCRYPTION_SECRET: "replace-with-a-long-random-secret-value-000" }, "KEY_ENCRYPTION_SECRET", /placeholder/],
    ["a short secret", { KEY_ENCRYPTION_SECRET: "short-but-not-placeholder-9" }, "KEY_ENCRYPTION_SECRET", /too short \(minimum 32/],
    ["PREV equal to the active secret", { KEY_ENCRYPTION_SECRET_PREV: SECRET }, "KEY_ENCRYPTION_SECRET_PREV", /equals KEY_ENCRYPTION_SECRET/],
    ["a non-numeric timeout", { VPS_PROXY_TIMEOUT_MS: "soon" }, "VPS_PROXY_TIMEOUT_MS", /is not a number/],
  ])("refuses %s", async (_name, overrides, variable, message) => {
    const env: Record<string, string | undefined> = { ...production, ...overrides };
    const result = await check(env);
    expect(result.code).toBe(1);
    const line = result.stderr.split("\n").find((l) => l.startsWith(`- worker: ${variable} `));
    expect(line).toMatch(message);
    for (const value of [SECRET, env.KEY_ENCRYPTION_SECRET]) if (value) expect(result.all).not.toContain(value);
  });

  it("accepts routes declared in wrangler.toml instead of WORKER_ROUTE_MODE=dashboard", async () => {
    writeFileSync(ws.tomlPath, ws.toml().replace("workers_dev = true", 'workers_dev = true\nroutes = [{ pattern = "pocketbrain.app/api/*", zone_name = "pocketbrain.app" }]'));
    expect((await check({ ...production, WORKER_ROUTE_MODE: undefined })).code).toBe(0);
  });

  it("accepts routes declared in [env.production], where worker:deploy writes them", async () => {
    writeFileSync(ws.tomlPath, ws.toml().replace("workers_dev = false", 'workers_dev = false\nroutes = [{ pattern = "pocketbrain.app/api/*", zone_name = "pocketbrain.app" }]'));
    expect((await check({ ...production, WORKER_ROUTE_MODE: undefined })).code).toBe(0);
  });

  it("accepts WORKER_ROUTES in the environment, which worker:deploy writes into [env.production] before its own check", async () => {
    expect((await check({ ...production, WORKER_ROUTE_MODE: undefined, WORKER_ROUTES: "pocketbrain.app/api/*", WORKER_ZONE_NAME: "pocketbrain.app" })).code).toBe(0);
    expect((await check({ ...production, WORKER_ROUTE_MODE: undefined, WORKER_ROUTES: "  " })).code).toBe(1);
  });

  it("layers wrangler.toml [vars] < worker/.dev.vars < process env", async () => {
    writeFileSync(ws.tomlPath, ws.toml().replace("[vars]\n", '[vars]\nVPS_API_ORIGIN = "http://toml.example.org"\n'));
    const tomlOnly = await check({ ...production, VPS_API_ORIGIN: undefined });
    expect(tomlOnly.stderr).toMatch(/- worker: VPS_API_ORIGIN must use https/);

    writeFileSync(join(ws.dir, "worker", ".dev.vars"), 'VPS_API_ORIGIN="https://devvars.example.org"\nNODE_ENV=development\nKEY_ENCRYPTION_SECRET=dev-secret-4f9a2c7e\n');
    const devVars = await run(main, { env: ws.env({}) });
    expect(devVars.code).toBe(0);
    expect(devVars.stdout).toMatch(/development rules; .*wrangler\.toml \[vars\] < .*\.dev\.vars < process env/);

    const processWins = await check({ NODE_ENV: "development", VPS_API_ORIGIN: "http://still-not-https.example.org" });
    expect(processWins.stderr).toMatch(/- worker: VPS_API_ORIGIN must use https/);
    expect(processWins.all).not.toContain("dev-secret-4f9a2c7e");
  });
});
