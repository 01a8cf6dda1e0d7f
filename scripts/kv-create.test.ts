import { writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "./kv-create";
import { readEnvironmentToml, readWranglerToml } from "./lib/wrangler-toml";
import { run, Workspace } from "./test/helpers";

let ws: Workspace;
beforeEach(() => (ws = new Workspace()));
afterEach(() => ws.dispose());

const ID = "9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e";
/** The production entry (what deploys bind) and the top-level one (preview_id for `wrangler dev --remote`). */
const kvEntry = () => readEnvironmentToml(ws.toml(), "production").kvNamespaces[0];
const topEntry = () => readWranglerToml(ws.toml()).kvNamespaces[0];

describe("worker:kv:create", () => {
  it.each(["toml", "json"])("creates AI_SESSIONS and writes the id from wrangler's %s snippet", async (format) => {
    const result = await run(main, { env: ws.env({ FAKE_WRANGLER_KV_ID: ID, FAKE_WRANGLER_KV_FORMAT: format }) });
    expect(result.code).toBe(0);
    expect(ws.commands()).toEqual(["kv namespace create AI_SESSIONS"]);
    expect(kvEntry()).toEqual({ binding: "AI_SESSIONS", id: ID });
    expect(topEntry()).toEqual({ binding: "AI_SESSIONS", id: "00000000000000000000000000000000", preview_id: "00000000000000000000000000000000" });
    expect(result.stdout).toContain(`Wrote AI_SESSIONS id = "${ID}"`);
  });

  it("does nothing when a real id is already there", async () => {
    await run(main, { env: ws.env({ FAKE_WRANGLER_KV_ID: ID }) });
    const before = ws.toml();
    const second = await run(main, { env: ws.env() });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/already set .*nothing to create/);
    expect(ws.commands()).toEqual(["kv namespace create AI_SESSIONS"]);
    expect(ws.toml()).toBe(before);
  });

  it("copies a real top-level id (a config from before [env.production]) instead of creating a namespace", async () => {
    writeFileSync(ws.tomlPath, ws.toml().replace('id = "00000000000000000000000000000000"\npreview_id', `id = "${ID}"\npreview_id`));
    const result = await run(main, { env: ws.env() });
    expect(result.code).toBe(0);
    expect(ws.commands()).toEqual([]);
    expect(kvEntry()!.id).toBe(ID);
  });

  it("creates the preview namespace too with --preview", async () => {
    const result = await run(main, { argv: ["--preview"], env: ws.env({ FAKE_WRANGLER_KV_ID: ID }) });
    expect(result.code).toBe(0);
    expect(ws.commands()).toEqual(["kv namespace create AI_SESSIONS", "kv namespace create AI_SESSIONS --preview"]);
    expect(topEntry()!.preview_id).toMatch(/^[0-9a-f]{32}$/);
    expect(topEntry()!.preview_id).not.toBe(ID);
  });

  it("reuses a namespace an interrupted run already created instead of making a duplicate", async () => {
    writeFileSync(ws.fakeState, JSON.stringify({ namespaces: [{ id: ID, title: "AI_SESSIONS" }], secrets: [] }));
    const result = await run(main, { env: ws.env() });
    expect(result.code).toBe(0);
    expect(ws.commands()).toEqual(["kv namespace create AI_SESSIONS", "kv namespace list"]);
    expect(kvEntry()!.id).toBe(ID);
  });

  it.each([
    ["auth-error", /Workers KV Storage: Edit/],
    ["network-error", /could not reach the Cloudflare API/],
  ])("leaves wrangler.toml untouched and prints the next step on %s", async (mode, advice) => {
    const before = ws.toml();
    const result = await run(main, { env: ws.env({ FAKE_WRANGLER_MODE: mode }) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(advice);
    expect(ws.toml()).toBe(before);
  });
});
