import { parseFlags, runAsEntrypoint, type ScriptIo } from "./lib/cli";
import { deployWorker, prepareProductionConfig, printRouteReminder, PRODUCTION_ARGS } from "./lib/production";
import { resolveWranglerToml } from "./lib/paths";
import { ACTIVE_SECRET } from "./lib/secrets";
import { runWranglerOrFail } from "./lib/wrangler";

const USAGE = "npm run worker:deploy [-- --config <wrangler.toml>] [--allow-workers-dev]";

/** The secret names `wrangler secret list` (JSON) shows. Pure. */
export function parseSecretNames(output: string): string[] {
  const start = output.indexOf("[");
  if (start < 0) return [];
  try {
    const list = JSON.parse(output.slice(start, output.lastIndexOf("]") + 1)) as Array<{ name?: unknown }>;
    return list.map((item) => item.name).filter((name): name is string => typeof name === "string");
  } catch {
    return [];
  }
}

/** worker:deploy — writes the production settings, checks what ships, then `wrangler deploy --env production`. */
export async function main(io: ScriptIo): Promise<number> {
  const flags = parseFlags(io.argv, { config: { type: "string" }, "allow-workers-dev": { type: "boolean" } }, USAGE);
  const tomlPath = resolveWranglerToml(flags.config, io.env, io.cwd);

  io.out("Step 1/2 — production config (written from the environment, checked as wrangler resolves it)");
  const storedSecrets: string[] = [];
  if ((io.env[ACTIVE_SECRET] ?? "").trim() === "") {
    // The secret normally lives only in Cloudflare; worker:secret:set validated it on upload.
    io.out(`  ${ACTIVE_SECRET} is not in the environment; checking that it is stored in Cloudflare.`);
    const listed = await runWranglerOrFail(io, { args: ["secret", "list", "--format", "json", ...PRODUCTION_ARGS], tomlPath }, "Listing the Worker's secrets");
    if (parseSecretNames(listed.stdout).includes(ACTIVE_SECRET)) {
      io.out(`  ✔ ${ACTIVE_SECRET} is set in Cloudflare.`);
      storedSecrets.push(ACTIVE_SECRET);
    }
  }
  await prepareProductionConfig(io, tomlPath, { requireKvId: true, allowWorkersDevFlag: flags["allow-workers-dev"], storedSecrets });

  io.out("Step 2/2 — deploy");
  await deployWorker(io, tomlPath, "Re-run `npm run worker:deploy` once fixed.");
  printRouteReminder(io, tomlPath, io.env);
  return 0;
}

await runAsEntrypoint(import.meta.url, main);
