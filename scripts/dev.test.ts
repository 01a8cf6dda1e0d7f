import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "./dev";
import { run, Workspace } from "./test/helpers";

let ws: Workspace;
beforeEach(() => (ws = new Workspace()));
afterEach(() => ws.dispose());

describe("worker:dev", () => {
  it("refuses without worker/.dev.vars and says how to create it", async () => {
    const result = await run(main, { env: ws.env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("cp worker/.dev.vars.example worker/.dev.vars");
    expect(ws.calls()).toEqual([]);
  });

  it("runs `wrangler dev` offline with the flags and environment it needs", async () => {
    writeFileSync(join(ws.dir, "worker", ".dev.vars"), "NODE_ENV=development\n");
    const result = await run(main, { argv: ["--persist-to", ".tmp/state"], env: ws.env() });
    expect(result.code).toBe(0);
    expect(ws.commands()).toEqual(["dev --show-interactive-dev-session=false --persist-to .tmp/state"]);
    expect(ws.calls()[0]!.env).toMatchObject({ WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", XDG_CONFIG_HOME: ws.opsHome });
  });
});
