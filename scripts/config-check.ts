import { isDevNodeEnv } from "../worker/src/config";
import { parseFlags, runAsEntrypoint, type ScriptIo } from "./lib/cli";
import { checkWorkerConfig, formatProblem, loadConfigSources, mergeLayers } from "./lib/config-rules";
import { displayPath, resolveWranglerToml } from "./lib/paths";

const USAGE = "npm run config:check:worker [-- --config <wrangler.toml>]";

/** config:check:worker — validates wrangler.toml [vars] < worker/.dev.vars (or .env) < process env offline (docs/api.md#environment-variables). */
export async function main(io: ScriptIo): Promise<number> {
  const flags = parseFlags(io.argv, { config: { type: "string" } }, USAGE);
  const tomlPath = resolveWranglerToml(flags.config, io.env, io.cwd);
  const sources = loadConfigSources(tomlPath, "local");
  const problems = checkWorkerConfig(sources, io.env, "local");
  const rules = isDevNodeEnv(mergeLayers(sources, io.env, "local").NODE_ENV) ? "development rules" : "production rules";
  const layers = [`${displayPath(tomlPath)} [vars]`, sources.devVarsPath ? displayPath(sources.devVarsPath) : null, "process env"].filter(Boolean).join(" < ");
  if (problems.length > 0) {
    io.err(`✘ worker config: ${problems.length} problem(s) (${rules}; ${layers}):`);
    for (const problem of problems) io.err(formatProblem(problem));
    return 1;
  }
  io.out(`✔ worker config OK (${rules}; ${layers}).`);
  return 0;
}

await runAsEntrypoint(import.meta.url, main);
