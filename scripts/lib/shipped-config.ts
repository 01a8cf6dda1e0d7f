import { checkDeploymentConfig, isDevNodeEnv, type ConfigProblem } from "../../worker/src/config";
import { ScriptError } from "./cli";
import { PRODUCTION_ENV, SECRET_SETTINGS } from "./production-settings";
import { isRealNamespaceId } from "./wrangler-toml";

type Env = Readonly<Record<string, string | undefined>>;

/** What `wrangler deploy --env <env>` would ship, as wrangler's own reader resolves the file. */
export interface ShippedConfig {
  env: string;
  name: string;
  /** The top-level `name`: the Worker a deploy must update (the original worker's name). */
  topLevelName: string;
  main: string;
  compatibilityDate: string;
  compatibilityFlags: string[];
  vars: Record<string, string>;
  workersDev: boolean;
  keepVars: boolean;
  routes: string[];
  kvNamespaces: { binding: string; id: string | undefined }[];
  durableObjects: { name: string; className: string }[];
}

interface WranglerReadConfig {
  name?: string;
  topLevelName?: string;
  main?: string;
  compatibility_date?: string;
  compatibility_flags?: string[];
  vars?: Record<string, unknown>;
  workers_dev?: boolean;
  keep_vars?: boolean;
  routes?: Array<string | { pattern: string }>;
  route?: string | { pattern: string };
  kv_namespaces?: { binding: string; id?: string }[];
  durable_objects?: { bindings?: { name: string; class_name: string }[] };
}

type ReadConfig = (args: { config: string; env?: string }, options: { hideWarnings: boolean }) => WranglerReadConfig;

/** Resolves `tomlPath` for `env` with wrangler's `unstable_readConfig` (the reader deploy uses). */
export async function readShippedConfig(tomlPath: string, env: string = PRODUCTION_ENV): Promise<ShippedConfig> {
  const wrangler = (await import("wrangler")) as unknown as { unstable_readConfig: ReadConfig };
  let config: WranglerReadConfig;
  try {
    config = wrangler.unstable_readConfig({ config: tomlPath, env }, { hideWarnings: true });
  } catch (error) {
    throw new ScriptError(`wrangler could not read ${tomlPath} for --env ${env}: ${(error as Error).message.split("\n")[0]}`);
  }
  const pattern = (route: string | { pattern: string }) => (typeof route === "string" ? route : route.pattern);
  const routes = [...(config.routes ?? []), ...(config.route ? [config.route] : [])].map(pattern);
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.vars ?? {})) vars[name] = typeof value === "string" ? value : JSON.stringify(value);
  return {
    env,
    name: config.name ?? "",
    topLevelName: config.topLevelName ?? config.name ?? "",
    main: config.main ?? "",
    compatibilityDate: config.compatibility_date ?? "",
    compatibilityFlags: config.compatibility_flags ?? [],
    vars,
    workersDev: config.workers_dev ?? true,
    keepVars: config.keep_vars ?? false,
    routes,
    kvNamespaces: (config.kv_namespaces ?? []).map((kv) => ({ binding: kv.binding, id: kv.id })),
    durableObjects: (config.durable_objects?.bindings ?? []).map((d) => ({ name: d.name, className: d.class_name })),
  };
}

export interface ShippedCheckOptions {
  /** Secrets as the deployed Worker will have them (from the environment, or known to be stored). */
  secrets: Env;
  /** `--allow-workers-dev` or ALLOW_WORKERS_DEV=true: serving the proxy on *.workers.dev is intended. */
  allowWorkersDev: boolean;
  /** WORKER_ROUTE_MODE=dashboard: routes are managed in the Cloudflare dashboard. */
  dashboardRoutes: boolean;
  /** Deploy time: the KV namespace must be a real one (bootstrap creates it after its check). */
  requireKvId: boolean;
}

/**
 * Problems of the resolved production config, with the Worker's own rules (worker/src/config.ts)
 * applied to exactly the vars that ship plus the secrets. Pure.
 */
export function shippedConfigProblems(shipped: ShippedConfig, options: ShippedCheckOptions): ConfigProblem[] {
  const where = `[env.${shipped.env}]`;
  const problems: ConfigProblem[] = [];
  if (shipped.name !== shipped.topLevelName) {
    problems.push({ variable: "name", message: `would be "${shipped.name}": ${where} must set name = "${shipped.topLevelName}" so the deploy updates the existing Worker instead of creating another (is the ${where} block missing?).` });
  }
  for (const name of SECRET_SETTINGS) {
    if (shipped.vars[name] !== undefined) problems.push({ variable: name, message: `is a secret but is in ${where} vars; remove it there and set it with \`npm run worker:secret:set -- --name ${name}\`.` });
  }
  if (isDevNodeEnv(shipped.vars.NODE_ENV)) {
    problems.push({ variable: "NODE_ENV", message: `is "${shipped.vars.NODE_ENV}" in ${where} vars; a deployed Worker must not run with development rules. Remove it.` });
  }
  const secrets: Record<string, string> = {};
  for (const name of SECRET_SETTINGS) if (options.secrets[name] !== undefined) secrets[name] = options.secrets[name]!;
  problems.push(...checkDeploymentConfig({ ...shipped.vars, ...secrets, NODE_ENV: "production" }).map((p) => ({ ...p, message: `${p.message} (as shipped by ${where})` })));
  if (shipped.workersDev && !options.allowWorkersDev) {
    problems.push({ variable: "workers_dev", message: `is true in ${where}: the key-holding proxy would be public on *.workers.dev. Set workers_dev = false, or pass --allow-workers-dev (ALLOW_WORKERS_DEV=true) if that is intended.` });
  }
  if (!options.dashboardRoutes && shipped.routes.length === 0) {
    problems.push({ variable: "routes", message: `are missing in ${where}: set WORKER_ROUTES="<your-domain>/api/*" and WORKER_ZONE_NAME=<your-domain>, or WORKER_ROUTE_MODE=dashboard if /api/* is routed in the Cloudflare dashboard.` });
  }
  const kv = shipped.kvNamespaces.find((ns) => ns.binding === "AI_SESSIONS");
  if (!kv) problems.push({ variable: "kv_namespaces", message: `${where} has no AI_SESSIONS binding (bindings are not inherited from the top level).` });
  else if (options.requireKvId && !isRealNamespaceId(kv.id)) problems.push({ variable: "kv_namespaces", message: `AI_SESSIONS in ${where} has no real namespace id; run \`npm run worker:kv:create\` (or worker:bootstrap).` });
  if (!shipped.durableObjects.some((d) => d.name === "CONTROL_PLANE_DO" && d.className === "ControlPlaneDO")) {
    problems.push({ variable: "durable_objects", message: `${where} has no CONTROL_PLANE_DO → ControlPlaneDO binding (bindings are not inherited from the top level).` });
  }
  return problems;
}
