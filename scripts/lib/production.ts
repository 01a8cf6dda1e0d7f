import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { ConfigProblem } from "../../worker/src/config";
import { ScriptError, type ScriptIo } from "./cli";
import { formatProblem } from "./config-rules";
import { displayPath } from "./paths";
import { applyProductionSettings, PRODUCTION_ENV, SECRET_SETTINGS } from "./production-settings";
import { readShippedConfig, shippedConfigProblems, type ShippedConfig } from "./shipped-config";
import { runWranglerOrFail } from "./wrangler";

type Env = Readonly<Record<string, string | undefined>>;

/** Arguments every ops call that targets the deployed Worker carries. */
export const PRODUCTION_ARGS = ["--env", PRODUCTION_ENV] as const;

export interface PrepareOptions {
  /** Deploy time: AI_SESSIONS must have a real namespace id. */
  requireKvId: boolean;
  /** `--allow-workers-dev` given on the command line. */
  allowWorkersDevFlag?: boolean;
  /** Secrets known to be stored in Cloudflare already (not in the environment). */
  storedSecrets?: readonly string[];
}

const isTrue = (value: string | undefined) => (value ?? "").trim().toLowerCase() === "true";

/** Resolves a candidate file text with wrangler's reader, via a temp file beside the real one (so `main` resolves the same). */
async function resolveCandidate(tomlPath: string, text: string): Promise<ShippedConfig> {
  const temp = join(dirname(tomlPath), `.${basename(tomlPath, ".toml")}.check-${process.pid}.toml`);
  writeFileSync(temp, text);
  try {
    return await readShippedConfig(temp);
  } finally {
    rmSync(temp, { force: true });
  }
}

/**
 * The production step of bootstrap/deploy/rotate: writes the operator's non-secret settings from
 * the environment into [env.production], checks the config as wrangler resolves it for that
 * environment, and only then saves the file. On any problem the file is left untouched.
 */
export async function prepareProductionConfig(io: ScriptIo, tomlPath: string, options: PrepareOptions): Promise<ShippedConfig> {
  const before = readFileSync(tomlPath, "utf8");
  const edit = applyProductionSettings(before, io.env);
  const shipped = await resolveCandidate(tomlPath, edit.text);
  const stored = new Set(options.storedSecrets ?? []);
  const problems = shippedConfigProblems(shipped, {
    secrets: secretsFrom(io.env),
    allowWorkersDev: options.allowWorkersDevFlag === true || isTrue(io.env.ALLOW_WORKERS_DEV),
    dashboardRoutes: (io.env.WORKER_ROUTE_MODE ?? "").trim().toLowerCase() === "dashboard",
    requireKvId: options.requireKvId,
  }).filter((problem) => !stored.has(problem.variable));
  assertNoProblems(io, problems, tomlPath);
  if (edit.text !== before) {
    const temp = `${tomlPath}.tmp-${process.pid}`;
    writeFileSync(temp, edit.text);
    renameSync(temp, tomlPath);
    io.out(`  Wrote into ${displayPath(tomlPath)} [env.${PRODUCTION_ENV}]: ${edit.changes.join(", ")}.`);
  } else {
    io.out(`  ${displayPath(tomlPath)} [env.${PRODUCTION_ENV}] already holds these settings; unchanged.`);
  }
  io.out(`  Ships: vars ${Object.keys(shipped.vars).sort().join(", ") || "(none)"}; workers_dev = ${shipped.workersDev}; routes ${shipped.routes.join(", ") || "(dashboard)"}; keep_vars = ${shipped.keepVars}.`);
  return shipped;
}

function secretsFrom(env: Env): Record<string, string | undefined> {
  return Object.fromEntries(SECRET_SETTINGS.map((name) => [name, env[name]]));
}

/** Throws a ScriptError listing every problem as `- worker: …`; prints one OK line otherwise. */
export function assertNoProblems(io: ScriptIo, problems: ConfigProblem[], tomlPath: string): void {
  const what = `${displayPath(tomlPath)} --env ${PRODUCTION_ENV}, as wrangler resolves it`;
  if (problems.length > 0) {
    throw new ScriptError([`production config check failed (${what}):`, ...problems.map(formatProblem), "Fix these, then re-run."].join("\n"));
  }
  io.out(`  ✔ production config OK (${what}).`);
}

/** `wrangler deploy --env production` with the next step printed on failure. */
export async function deployWorker(io: ScriptIo, tomlPath: string, resumeHint?: string): Promise<void> {
  await runWranglerOrFail(io, { args: ["deploy", ...PRODUCTION_ARGS], tomlPath }, "Deploying the Worker (wrangler deploy --env production)", resumeHint);
  io.out("  ✔ Deployed.");
}

export function printRouteReminder(io: ScriptIo, tomlPath: string, env: Env): void {
  const dashboard = (env.WORKER_ROUTE_MODE ?? "").trim().toLowerCase() === "dashboard";
  io.out(
    dashboard
      ? "Reminder: WORKER_ROUTE_MODE=dashboard — make sure the Worker is routed on <your-domain>/api/* in the Cloudflare dashboard (Workers Routes)."
      : `Reminder: the Worker must serve <your-domain>/api/* — check the routes in ${displayPath(tomlPath)} [env.${PRODUCTION_ENV}] match your site.`,
  );
}
