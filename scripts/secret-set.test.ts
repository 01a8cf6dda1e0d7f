import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "./secret-set";
import { leakSurfaces, OTHER_SECRET, run, SECRET, sha256, Workspace } from "./test/helpers";

let ws: Workspace;
beforeEach(() => (ws = new Workspace()));
afterEach(() => ws.dispose());

describe("worker:secret:set", () => {
  it("pipes the secret from stdin into `wrangler secret put KEY_ENCRYPTION_SECRET` and never prints it", async () => {
    const result = await run(main, { env: ws.env(), stdin: `${SECRET}\n` });
    expect(result.code).toBe(0);
    expect(ws.commands()).toEqual(["secret put KEY_ENCRYPTION_SECRET --env production"]);
    const [call] = ws.calls();
    expect(call!.stdinSha256).toBe(sha256(SECRET));
    expect(call!.env).toMatchObject({ WRANGLER_SEND_METRICS: "false", XDG_CONFIG_HOME: ws.opsHome, hasApiToken: true, hasEncryptionSecretVar: false });
    expect(result.stdout).toContain("read from stdin");
    expect(leakSurfaces(ws, result)).not.toContain(SECRET);
  });

  it("falls back to $KEY_ENCRYPTION_SECRET when nothing is piped", async () => {
    const result = await run(main, { env: ws.env({ KEY_ENCRYPTION_SECRET: SECRET }), stdin: null });
    expect(result.code).toBe(0);
    expect(ws.calls()[0]!.stdinSha256).toBe(sha256(SECRET));
    expect(leakSurfaces(ws, result)).not.toContain(SECRET);
  });

  it("sets KEY_ENCRYPTION_SECRET_PREV with --name", async () => {
    const result = await run(main, { argv: ["--name", "KEY_ENCRYPTION_SECRET_PREV"], env: ws.env({ KEY_ENCRYPTION_SECRET: SECRET }), stdin: OTHER_SECRET });
    expect(result.code).toBe(0);
    expect(ws.commands()).toEqual(["secret put KEY_ENCRYPTION_SECRET_PREV --env production"]);
    expect(ws.calls()[0]!.stdinSha256).toBe(sha256(OTHER_SECRET));
    expect(leakSurfaces(ws, result)).not.toContain(OTHER_SECRET);
  });

  it.each([
    ["a placeholder", "replace-with-a-long-random-secret-value-0000", /placeholder/],
    ["a well-known test value", "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef", /placeholder/],
    ["a short secret", "only-twenty-one-chars", /too short \(minimum 32/],
  ])("refuses %s without calling wrangler", async (_name, value, message) => {
    const result = await run(main, { env: ws.env(), stdin: value });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(ws.calls()).toEqual([]);
    expect(result.all).not.toContain(value);
  });

  it("refuses KEY_ENCRYPTION_SECRET_PREV equal to the active secret", async () => {
    const result = await run(main, { argv: ["--name", "KEY_ENCRYPTION_SECRET_PREV"], env: ws.env({ KEY_ENCRYPTION_SECRET: SECRET }), stdin: SECRET });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/KEY_ENCRYPTION_SECRET_PREV equals KEY_ENCRYPTION_SECRET/);
    expect(ws.calls()).toEqual([]);
    expect(result.all).not.toContain(SECRET);
  });

  it("refuses when there is no secret at all, and rejects other secret names", async () => {
    const none = await run(main, { env: ws.env(), stdin: "" });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no value for KEY_ENCRYPTION_SECRET/);
    const other = await run(main, { argv: ["--name", "CLERK_ISSUER"], env: ws.env(), stdin: SECRET });
    expect(other.code).toBe(2);
    expect(ws.calls()).toEqual([]);
  });

  it("explains an auth failure with the token scopes needed, without leaking the secret", async () => {
    const result = await run(main, { env: ws.env({ FAKE_WRANGLER_MODE: "auth-error" }), stdin: SECRET });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Workers Scripts: Edit/);
    expect(result.stderr).toMatch(/Workers KV Storage: Edit/);
    expect(result.stderr).toMatch(/Account Settings: Read/);
    expect(result.stderr).toMatch(/Workers Routes: Edit/);
    expect(leakSurfaces(ws, result)).not.toContain(SECRET);
  });
});
