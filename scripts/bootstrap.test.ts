import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "./bootstrap";
import { readEnvironmentToml, readWranglerToml } from "./lib/wrangler-toml";
import { API_TOKEN, leakSurfaces, PRODUCTION_VARS, run, SECRET, sha256, Workspace } from "./test/helpers";

let ws: Workspace;
beforeEach(() => (ws = new Workspace()));
afterEach(() => ws.dispose());

const ACCOUNT = "8a1e3b5c7d9f0a2b4c6d8e0f1a3b5c7d";
const ready = (extra: Record<string, string | undefined> = {}) => ws.env({ ...PRODUCTION_VARS, KEY_ENCRYPTION_SECRET: SECRET, ...extra });

describe("worker:bootstrap", () => {
  it("fills the account id, creates KV, sets the secret and deploys — in that order", async () => {
    const result = await run(main, { env: ready() });
    expect(result.code).toBe(0);
    expect(ws.commands()).toEqual(["whoami --json", "kv namespace create AI_SESSIONS", "secret put KEY_ENCRYPTION_SECRET --env production", "deploy --env production"]);
    const facts = readWranglerToml(ws.toml());
    expect(facts.accountId).toBe(ACCOUNT);
    expect(readEnvironmentToml(ws.toml(), "production").kvNamespaces[0]!.id).toMatch(/^[0-9a-f]{32}$/);
    expect(ws.calls()[2]!.stdinSha256).toBe(sha256(SECRET));
    expect(result.stdout).toMatch(/Step 1\/6[\s\S]*Step 6\/6[\s\S]*Bootstrap complete[\s\S]*\/api\/\*/);
    const surfaces = leakSurfaces(ws, result);
    expect(surfaces).not.toContain(SECRET);
    expect(surfaces).not.toContain(API_TOKEN);
  });

  it("is safe to re-run: the second run creates no second KV namespace and leaves wrangler.toml as it was", async () => {
    expect((await run(main, { env: ready() })).code).toBe(0);
    const afterFirst = ws.toml();
    const second = await run(main, { env: ready() });
    expect(second.code).toBe(0);
    expect(ws.toml()).toBe(afterFirst);
    const creates = ws.commands().filter((command) => command.startsWith("kv namespace create"));
    expect(creates).toHaveLength(1);
    expect(ws.commands().slice(4)).toEqual(["secret put KEY_ENCRYPTION_SECRET --env production", "deploy --env production"]);
    expect(second.stdout).toMatch(/account_id is already set[\s\S]*id is already set/);
  });

  it("uses CLOUDFLARE_ACCOUNT_ID instead of whoami", async () => {
    const id = "c".repeat(32);
    const result = await run(main, { env: ready({ CLOUDFLARE_ACCOUNT_ID: id }) });
    expect(result.code).toBe(0);
    expect(ws.commands()[0]).toBe("kv namespace create AI_SESSIONS");
    expect(readWranglerToml(ws.toml()).accountId).toBe(id);
  });

  it("asks for CLOUDFLARE_ACCOUNT_ID when the token sees several accounts", async () => {
    const accounts = JSON.stringify([{ name: "One", id: "1".repeat(32) }, { name: "Two", id: "2".repeat(32) }]);
    const result = await run(main, { env: ready({ FAKE_WRANGLER_ACCOUNTS: accounts }) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/2 accounts[\s\S]*Set CLOUDFLARE_ACCOUNT_ID[\s\S]*re-run `npm run worker:bootstrap`/);
    expect(ws.commands()).toEqual(["whoami --json"]);
  });

  it.each([
    ["a missing token", { CLOUDFLARE_API_TOKEN: undefined }, /CLOUDFLARE_API_TOKEN is not set/],
    ["the legacy CF_API_TOKEN", { CLOUDFLARE_API_TOKEN: undefined, CF_API_TOKEN: API_TOKEN }, /CF_API_TOKEN is the legacy variable name/],
    ["a missing secret", { KEY_ENCRYPTION_SECRET: undefined }, /KEY_ENCRYPTION_SECRET: it is not set/],
    ["a placeholder secret", { KEY_ENCRYPTION_SECRET: "your-secret-goes-here-0123456789abcdef" }, /placeholder/],
    ["production without Clerk", { CLERK_JWKS_URL: undefined, CLERK_ISSUER: undefined, CLERK_AUDIENCE: undefined }, /- worker: CLERK_JWKS_URL Clerk is required/],
    ["insecure dev auth", { ALLOW_INSECURE_DEV_AUTH: "true" }, /- worker: ALLOW_INSECURE_DEV_AUTH must not be true in production/],
    ["an http VPS origin", { VPS_API_ORIGIN: "http://api.pocketbrain.app" }, /- worker: VPS_API_ORIGIN must use https/],
    ["missing routes", { WORKER_ROUTE_MODE: undefined }, /- worker: routes are missing/],
  ])("refuses %s before calling wrangler", async (_name, overrides, message) => {
    const result = await run(main, { env: ready(overrides) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(ws.calls()).toEqual([]);
    expect(result.all).not.toContain(SECRET);
    expect(result.all).not.toContain(API_TOKEN);
  });

  it("stops on an auth failure with the token scopes needed and how to resume", async () => {
    const result = await run(main, { env: ready({ FAKE_WRANGLER_MODE: "auth-error" }) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Workers Scripts: Edit[\s\S]*Workers KV Storage: Edit[\s\S]*Account Settings: Read[\s\S]*Workers Routes: Edit/);
    expect(result.stderr).toContain("re-run `npm run worker:bootstrap`");
    expect(ws.commands()).toEqual(["whoami --json"]);
  });

  it("resumes after a failed deploy without creating anything twice", async () => {
    const failed = await run(main, { env: ready({ FAKE_WRANGLER_MODE: "fail-on=deploy" }) });
    expect(failed.code).toBe(1);
    const resumed = await run(main, { env: ready() });
    expect(resumed.code).toBe(0);
    expect(ws.commands()).toEqual([
      "whoami --json",
      "kv namespace create AI_SESSIONS",
      "secret put KEY_ENCRYPTION_SECRET --env production",
      "deploy --env production",
      "secret put KEY_ENCRYPTION_SECRET --env production",
      "deploy --env production",
    ]);
    expect(leakSurfaces(ws, resumed)).not.toContain(SECRET);
  });
});
