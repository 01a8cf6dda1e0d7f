import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { runAsEntrypoint, ScriptError, type ScriptIo } from "./lib/cli";
import { displayPath, resolveWranglerToml } from "./lib/paths";
import { runWrangler } from "./lib/wrangler";

/** `--config <path>` for us; every other argument goes to `wrangler dev` unchanged. */
function splitArgs(argv: string[]): { config: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let config: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--config") config = argv[++i];
    else if (arg.startsWith("--config=")) config = arg.slice("--config=".length);
    else rest.push(arg);
  }
  return { config, rest };
}

/** worker:dev — `wrangler dev` offline (no metrics, no Request.cf fetch) once worker/.dev.vars exists. */
export async function main(io: ScriptIo): Promise<number> {
  const { config, rest } = splitArgs(io.argv);
  const tomlPath = resolveWranglerToml(config, io.env, io.cwd);
  const devVars = join(dirname(tomlPath), ".dev.vars");
  if (!existsSync(devVars)) {
    throw new ScriptError(`${displayPath(devVars)} is missing. Create it first:\n  cp worker/.dev.vars.example worker/.dev.vars\nthen edit KEY_ENCRYPTION_SECRET in it and re-run \`npm run worker:dev\`.`);
  }
  const result = await runWrangler(io, {
    args: ["dev", "--show-interactive-dev-session=false", ...rest],
    tomlPath,
    interactive: true,
    extraEnv: { CLOUDFLARE_CF_FETCH_ENABLED: "false" },
  });
  return result.code;
}

await runAsEntrypoint(import.meta.url, main);
