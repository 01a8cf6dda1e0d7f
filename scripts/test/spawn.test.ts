import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../lib/paths";
import { readWranglerToml } from "../lib/wrangler-toml";
import { API_TOKEN, PRODUCTION_VARS, SECRET, sha256, Workspace } from "./helpers";

/** Real processes, as `npm run …` starts them: `tsx scripts/<name>.ts` with a clean environment. */
function spawnScript(ws: Workspace, script: string, env: Record<string, string | undefined>, input?: string) {
  const result = spawnSync(join(REPO_ROOT, "node_modules", ".bin", "tsx"), [join(REPO_ROOT, "scripts", script)], {
    cwd: REPO_ROOT,
    env: ws.env(env) as NodeJS.ProcessEnv,
    input: input ?? "",
    encoding: "utf8",
    timeout: 20_000,
  });
  return { code: result.status, all: `${result.stdout}\n${result.stderr}` };
}

let ws: Workspace;
beforeEach(() => (ws = new Workspace()));
afterEach(() => ws.dispose());

describe("scripts as real processes", () => {
  it("worker:secret:set reads a piped secret and hands wrangler only its bytes on stdin", () => {
    const result = spawnScript(ws, "secret-set.ts", {}, `${SECRET}\n`);
    expect(result.code).toBe(0);
    expect(ws.calls().map((call) => call.stdinSha256)).toEqual([sha256(SECRET)]);
    expect(result.all).not.toContain(SECRET);
  });

  it("config:check:worker exits 1 with `- worker:` lines, and 0 once the config is complete", () => {
    const failing = spawnScript(ws, "config-check.ts", {});
    expect(failing.code).toBe(1);
    expect(failing.all).toContain("- worker: CLERK_JWKS_URL");
    const passing = spawnScript(ws, "config-check.ts", { ...PRODUCTION_VARS, KEY_ENCRYPTION_SECRET: SECRET });
    expect(passing.code).toBe(0);
    expect(passing.all).not.toContain(SECRET);
  });

  it("worker:bootstrap run twice makes one KV namespace and never prints the secret or token", () => {
    const env = { ...PRODUCTION_VARS, KEY_ENCRYPTION_SECRET: SECRET };
    const first = spawnScript(ws, "bootstrap.ts", env);
    const second = spawnScript(ws, "bootstrap.ts", env);
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(ws.commands().filter((command) => command.startsWith("kv namespace create"))).toHaveLength(1);
    expect(readWranglerToml(ws.toml()).kvNamespaces[0]!.id).toMatch(/^[0-9a-f]{32}$/);
    for (const output of [first.all, second.all]) {
      expect(output).not.toContain(SECRET);
      expect(output).not.toContain(API_TOKEN);
    }
  });
});
