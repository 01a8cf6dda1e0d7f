import { parseFlags, runAsEntrypoint, type ScriptIo } from "./lib/cli";
import { ensureKvNamespace } from "./lib/kv";
import { resolveWranglerToml } from "./lib/paths";

const USAGE = "npm run worker:kv:create [-- --preview] [--config <wrangler.toml>]";

/** worker:kv:create — creates AI_SESSIONS (and, with --preview, its preview namespace) and writes the ids. */
export async function main(io: ScriptIo): Promise<number> {
  const flags = parseFlags(io.argv, { config: { type: "string" }, preview: { type: "boolean" } }, USAGE);
  const tomlPath = resolveWranglerToml(flags.config, io.env, io.cwd);
  io.out("KV namespace AI_SESSIONS");
  await ensureKvNamespace(io, tomlPath, "id");
  if (flags.preview) {
    io.out("Preview KV namespace AI_SESSIONS_preview");
    await ensureKvNamespace(io, tomlPath, "preview_id");
  }
  return 0;
}

await runAsEntrypoint(import.meta.url, main);
