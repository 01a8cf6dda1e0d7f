import { parseFlags, runAsEntrypoint, ScriptError, type ScriptIo } from "./lib/cli";
import { resolveWranglerToml } from "./lib/paths";
import { ACTIVE_SECRET, isTokenName, PREVIOUS_SECRET, refuseEqualSecrets, requireUploadableSecret, requireUploadableToken, TOKEN_SECRETS } from "./lib/secrets";
import { PRODUCTION_ARGS } from "./lib/production";
import { runWranglerOrFail } from "./lib/wrangler";

const USAGE = "printf %s \"$SECRET\" | npm run worker:secret:set [-- --name KEY_ENCRYPTION_SECRET_PREV|METRICS_TOKEN|ADMIN_TOKEN] [--config <wrangler.toml>]";

/** The secret from piped stdin (one trailing newline dropped), else from the variable of that name. */
async function readSecretValue(io: ScriptIo, name: string): Promise<{ value: string | undefined; source: string }> {
  const piped = await io.readStdin();
  const fromStdin = piped?.replace(/\r?\n$/, "");
  if (fromStdin) return { value: fromStdin, source: "stdin" };
  return { value: io.env[name], source: `$${name}` };
}

/** worker:secret:set — uploads KEY_ENCRYPTION_SECRET (or _PREV) through wrangler's stdin; never echoes it. */
export async function main(io: ScriptIo): Promise<number> {
  const flags = parseFlags(io.argv, { config: { type: "string" }, name: { type: "string", default: ACTIVE_SECRET } }, USAGE);
  const name = flags.name;
  if (name !== ACTIVE_SECRET && name !== PREVIOUS_SECRET && !isTokenName(name)) throw new ScriptError(`--name must be one of ${[ACTIVE_SECRET, PREVIOUS_SECRET, ...TOKEN_SECRETS].join(", ")}.`, 2);
  const tomlPath = resolveWranglerToml(flags.config, io.env, io.cwd);

  const { value: raw, source } = await readSecretValue(io, name);
  if (!raw) throw new ScriptError(`no value for ${name}: pipe it on stdin (${USAGE}) or set ${name} in the environment.`);
  const value = isTokenName(name) ? requireUploadableToken(name, raw) : requireUploadableSecret(name, raw);
  if (name === PREVIOUS_SECRET) refuseEqualSecrets(io.env[ACTIVE_SECRET], value);
  else if (name === ACTIVE_SECRET) refuseEqualSecrets(value, io.env[PREVIOUS_SECRET]);
  io.out(`Setting ${name} (read from ${source}, ${value.length} characters; the value is never printed).`);

  await runWranglerOrFail(io, { args: ["secret", "put", name, ...PRODUCTION_ARGS], tomlPath, stdin: value, redact: [value] }, `Setting ${name}`, "Re-run `npm run worker:secret:set` once fixed.");
  io.out(`✔ ${name} is set. Cloudflare deploys a new version of the Worker with it right away.`);
  return 0;
}

await runAsEntrypoint(import.meta.url, main);
