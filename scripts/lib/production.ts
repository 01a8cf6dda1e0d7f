import type { ConfigProblem } from "../../worker/src/config";
import { ScriptError, type ScriptIo } from "./cli";
import { checkWorkerConfig, formatProblem, loadConfigSources } from "./config-rules";
import { displayPath } from "./paths";
import { runWranglerOrFail } from "./wrangler";

type Env = Readonly<Record<string, string | undefined>>;

/** Production-rule problems of what a deploy ships (wrangler.toml [vars] < process env). */
export function productionProblems(tomlPath: string, env: Env): ConfigProblem[] {
  return checkWorkerConfig(loadConfigSources(tomlPath, "deploy"), env, "deploy");
}

/** Throws a ScriptError listing every problem as `- worker: …`; prints one OK line otherwise. */
export function assertNoProblems(io: ScriptIo, problems: ConfigProblem[], tomlPath: string): void {
  if (problems.length > 0) {
    throw new ScriptError(
      [`production config check failed (${displayPath(tomlPath)} [vars] < environment):`, ...problems.map(formatProblem), "Fix these, then re-run."].join("\n"),
    );
  }
  io.out(`  ✔ production config OK (${displayPath(tomlPath)} [vars] < environment).`);
}

/** `wrangler deploy` with the next step printed on failure. */
export async function deployWorker(io: ScriptIo, tomlPath: string, resumeHint?: string): Promise<void> {
  await runWranglerOrFail(io, { args: ["deploy"], tomlPath }, "Deploying the Worker (wrangler deploy)", resumeHint);
  io.out("  ✔ Deployed.");
}

export function printRouteReminder(io: ScriptIo, tomlPath: string, env: Env): void {
  const dashboard = (env.WORKER_ROUTE_MODE ?? "").trim().toLowerCase() === "dashboard";
  io.out(
    dashboard
      ? "Reminder: WORKER_ROUTE_MODE=dashboard — make sure the Worker is routed on <your-domain>/api/* in the Cloudflare dashboard (Workers Routes)."
      : `Reminder: the Worker must serve <your-domain>/api/* — check the routes in ${displayPath(tomlPath)} match your site.`,
  );
}
