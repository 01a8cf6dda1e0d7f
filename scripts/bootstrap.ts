import { ensureAccountId } from "./lib/account";
import { parseFlags, runAsEntrypoint, ScriptError, type ScriptIo } from "./lib/cli";
import { ensureKvNamespace } from "./lib/kv";
import { resolveWranglerToml } from "./lib/paths";
import { deployWorker, prepareProductionConfig, printRouteReminder, PRODUCTION_ARGS } from "./lib/production";
import { ACTIVE_SECRET, requireUploadableSecret } from "./lib/secrets";
import { runWranglerOrFail } from "./lib/wrangler";

const USAGE = "CLOUDFLARE_API_TOKEN=… KEY_ENCRYPTION_SECRET=… npm run worker:bootstrap [-- --config <wrangler.toml>] [--allow-workers-dev]";
const RERUN = "Fix the cause and re-run `npm run worker:bootstrap`: finished steps are skipped or repeated harmlessly.";

/** Token rules: CLOUDFLARE_API_TOKEN required; the legacy CF_API_TOKEN alone is refused. */
export function checkApiToken(env: Readonly<Record<string, string | undefined>>): string[] {
  const token = env.CLOUDFLARE_API_TOKEN?.trim();
  const legacy = env.CF_API_TOKEN?.trim();
  if (!token && legacy) {
    throw new ScriptError("CF_API_TOKEN is the legacy variable name and wrangler 4 ignores it. Rename it: export CLOUDFLARE_API_TOKEN=\"$CF_API_TOKEN\"; unset CF_API_TOKEN — then re-run.");
  }
  if (!token) {
    throw new ScriptError(
      "CLOUDFLARE_API_TOKEN is not set. Create a token with Workers Scripts:Edit, Workers KV Storage:Edit, Account Settings:Read (and Zone → Workers Routes:Edit for routes), export it, and re-run.",
    );
  }
  return legacy ? ["  CF_API_TOKEN is set too and ignored; unset it to avoid confusion."] : [];
}

/** worker:bootstrap — first production deploy end to end; safe to re-run. */
export async function main(io: ScriptIo): Promise<number> {
  const flags = parseFlags(io.argv, { config: { type: "string" }, "allow-workers-dev": { type: "boolean" } }, USAGE);
  const tomlPath = resolveWranglerToml(flags.config, io.env, io.cwd);

  io.out("Step 1/6 — credentials");
  for (const warning of checkApiToken(io.env)) io.out(warning);
  const secret = requireUploadableSecret(ACTIVE_SECRET, io.env[ACTIVE_SECRET]);
  io.out(`  ✔ CLOUDFLARE_API_TOKEN and ${ACTIVE_SECRET} present (values not shown).`);

  io.out("Step 2/6 — production config (written from the environment, checked as wrangler resolves it)");
  // The KV id is created in step 4, so it is not required yet; deploy (step 6) runs the full check.
  await prepareProductionConfig(io, tomlPath, { requireKvId: false, allowWorkersDevFlag: flags["allow-workers-dev"] });

  const step = async (label: string, action: () => Promise<unknown>) => {
    io.out(label);
    try {
      await action();
    } catch (error) {
      if (error instanceof ScriptError) throw new ScriptError(`${error.message}\n${RERUN}`, error.exitCode);
      throw error;
    }
  };
  await step("Step 3/6 — account id", () => ensureAccountId(io, tomlPath));
  await step("Step 4/6 — KV namespace AI_SESSIONS", () => ensureKvNamespace(io, tomlPath, "id"));
  await step(`Step 5/6 — secret ${ACTIVE_SECRET}`, () =>
    runWranglerOrFail(io, { args: ["secret", "put", ACTIVE_SECRET, ...PRODUCTION_ARGS], tomlPath, stdin: secret, redact: [secret] }, `Setting ${ACTIVE_SECRET}`),
  );
  await step("Step 6/6 — deploy", async () => {
    await prepareProductionConfig(io, tomlPath, { requireKvId: true, allowWorkersDevFlag: flags["allow-workers-dev"] });
    await deployWorker(io, tomlPath);
  });

  io.out("✔ Bootstrap complete.");
  printRouteReminder(io, tomlPath, io.env);
  return 0;
}

await runAsEntrypoint(import.meta.url, main);
