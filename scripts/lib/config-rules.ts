import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { checkDeploymentConfig, isDevNodeEnv, type ConfigProblem } from "../../worker/src/config";
import { displayPath } from "./paths";
import { readEnvironmentToml, readWranglerToml, type WranglerTomlFacts } from "./wrangler-toml";
import { parseEnvFile } from "./env-file";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `local`: what config:check:worker validates — wrangler.toml [vars] < worker/.dev.vars (or .env)
 * < process env, with the rules NODE_ENV selects (unset = production, as in the Worker).
 * `deploy`: what a deploy ships — wrangler.toml [vars] < process env, always production rules;
 * .dev.vars is local-only and never deployed, so it is not read.
 */
export type CheckMode = "local" | "deploy";

export interface ConfigSources {
  tomlPath: string;
  toml: WranglerTomlFacts;
  devVarsPath: string | null;
  devVars: Record<string, string>;
}

export function loadConfigSources(tomlPath: string, mode: CheckMode): ConfigSources {
  if (!existsSync(tomlPath)) throw new Error(`${displayPath(tomlPath)} not found`);
  const text = readFileSync(tomlPath, "utf8");
  const facts = readWranglerToml(text);
  // Routes are a deploy setting: they live in [env.production] (docs/decisions/0004).
  const toml = { ...facts, hasRoutes: facts.hasRoutes || readEnvironmentToml(text, "production").hasRoutes };
  if (mode === "deploy") return { tomlPath, toml, devVarsPath: null, devVars: {} };
  const dir = dirname(tomlPath);
  const devVarsPath = [join(dir, ".dev.vars"), join(dir, ".env")].find((path) => existsSync(path)) ?? null;
  const devVars = devVarsPath ? parseEnvFile(readFileSync(devVarsPath, "utf8")) : {};
  return { tomlPath, toml, devVarsPath, devVars };
}

function defined(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value;
  return out;
}

/** The layered env the check evaluates (later layers win). */
export function mergeLayers(sources: ConfigSources, processEnv: Env, mode: CheckMode): Record<string, string> {
  const merged = { ...sources.toml.vars, ...sources.devVars, ...defined(processEnv) };
  if (mode === "deploy") merged.NODE_ENV = "production";
  return merged;
}

/** Every problem of the layered configuration, reusing the Worker's own rules (worker/src/config.ts). */
export function checkWorkerConfig(sources: ConfigSources, processEnv: Env, mode: CheckMode): ConfigProblem[] {
  const env = mergeLayers(sources, processEnv, mode);
  const problems = checkDeploymentConfig(env);
  if (mode === "deploy" && isDevNodeEnv(sources.toml.vars.NODE_ENV)) {
    problems.push({
      variable: "NODE_ENV",
      message: `is "${sources.toml.vars.NODE_ENV}" in ${displayPath(sources.tomlPath)} [vars]; a deployed Worker must not run with development rules. Remove it.`,
    });
  }
  if (isDevNodeEnv(env.NODE_ENV)) return problems;
  const routeMode = (env.WORKER_ROUTE_MODE ?? "").trim().toLowerCase();
  if (routeMode !== "" && routeMode !== "dashboard" && routeMode !== "toml") {
    problems.push({ variable: "WORKER_ROUTE_MODE", message: `must be "toml" (default) or "dashboard".` });
  } else if (routeMode !== "dashboard" && !sources.toml.hasRoutes && (env.WORKER_ROUTES ?? "").trim() === "") {
    // WORKER_ROUTES set: worker:deploy/bootstrap write them into [env.production] and check the resolved file.
    problems.push({
      variable: "routes",
      message: `are missing in ${displayPath(sources.tomlPath)} [env.production]: set WORKER_ROUTES="<your-domain>/api/*" and WORKER_ZONE_NAME=<your-domain> for worker:deploy to write them, or set WORKER_ROUTE_MODE=dashboard if /api/* is routed in the Cloudflare dashboard.`,
    });
  }
  return problems;
}

export function formatProblem(problem: ConfigProblem): string {
  return `- worker: ${problem.variable} ${problem.message}`;
}
