import { isSingleLineValue, readEnvironmentToml, removeTableKey, setTableString, setTableValue } from "./wrangler-toml";
import { ScriptError } from "./cli";

type Env = Readonly<Record<string, string | undefined>>;

/** The wrangler environment every ops script deploys (worker/wrangler.toml `[env.production]`). */
export const PRODUCTION_ENV = "production";
export const PRODUCTION_TABLE = `env.${PRODUCTION_ENV}`;
export const PRODUCTION_VARS_TABLE = `${PRODUCTION_TABLE}.vars`;
export const PRODUCTION_KV_TABLE = `${PRODUCTION_TABLE}.kv_namespaces`;

/**
 * Non-secret Worker settings the scripts copy from the environment into `[env.production.vars]`,
 * so what the deploy ships is what was checked (docs/ops.md).
 */
export const PRODUCTION_SETTINGS = [
  "CLERK_JWKS_URL",
  "CLERK_ISSUER",
  "CLERK_AUDIENCE",
  "VPS_API_ORIGIN",
  "ALLOW_INSECURE_DEV_AUTH",
  "ALLOWED_ORIGINS",
  "DEFAULT_MODEL",
  "VPS_PROXY_TIMEOUT_MS",
  "VPS_PROXY_RETRIES",
  "VPS_PROXY_NO_RETRY_PATHS",
  "VPS_PROXY_IDEMPOTENT_PATHS",
  "VPS_PROXY_MAX_BODY_BYTES",
  "VPS_PROXY_CIRCUIT_FAILURE_THRESHOLD",
  "VPS_PROXY_CIRCUIT_OPEN_MS",
  "PROVIDER_TIMEOUT_MS",
  "PROVIDER_RETRIES",
  "PROVIDER_CIRCUIT_FAILURE_THRESHOLD",
  "PROVIDER_CIRCUIT_OPEN_MS",
  "PROVIDER_CIRCUIT_REFRESH_MS",
  "RATE_LIMIT_MAX",
  "RATE_LIMIT_WINDOW_MS",
  "SESSION_TTL_SECONDS",
  "GEMINI_API_BASE",
  "OPENROUTER_API_BASE",
] as const;

/** Worker secrets: set with `wrangler secret put`, never written to a file, never printed. */
export const SECRET_SETTINGS = ["KEY_ENCRYPTION_SECRET", "KEY_ENCRYPTION_SECRET_PREV", "METRICS_TOKEN", "ADMIN_TOKEN"] as const;

export interface SettingsEdit {
  text: string;
  /** One line per changed setting: `NAME set`, `NAME updated`, `NAME removed`, `routes set`. */
  changes: string[];
}

/** `WORKER_ROUTES` (comma list of patterns) + `WORKER_ZONE_NAME` → one inline TOML routes array. Pure. */
export function routesToml(patterns: string, zone: string | undefined): string | null {
  const list = patterns.split(",").map((item) => item.trim()).filter(Boolean);
  if (list.length === 0) return null;
  if (!zone?.trim()) throw new ScriptError("WORKER_ROUTES is set but WORKER_ZONE_NAME is not: set it to the Cloudflare zone that serves the routes (e.g. pocketbrain.app).", 2);
  for (const pattern of list) {
    if (!/^[A-Za-z0-9.*-]+(\/[\x21-\x7e]*)?$/.test(pattern)) throw new ScriptError(`WORKER_ROUTES: "${pattern.slice(0, 80)}" is not a route pattern like example.com/api/*.`, 2);
  }
  return `[${list.map((pattern) => `{ pattern = ${JSON.stringify(pattern)}, zone_name = ${JSON.stringify(zone.trim())} }`).join(", ")}]`;
}

/**
 * Writes the operator's non-secret settings from `env` into the production block. A setting that is
 * unset keeps the file's value; an empty one removes it. Same values → the same bytes. Pure.
 */
export function applyProductionSettings(text: string, env: Env): SettingsEdit {
  let current = text;
  const changes: string[] = [];
  const apply = (next: string, change: string) => {
    if (next !== current) changes.push(change);
    current = next;
  };
  for (const name of PRODUCTION_SETTINGS) {
    const value = env[name];
    if (value === undefined) continue;
    const had = readEnvironmentToml(current, PRODUCTION_ENV).vars[name] !== undefined;
    if (value.trim() === "") apply(removeTableKey(current, PRODUCTION_VARS_TABLE, name), `${name} removed`);
    else apply(setTableString(current, PRODUCTION_VARS_TABLE, name, value.trim()), `${name} ${had ? "updated" : "set"}`);
  }
  const routes = env.WORKER_ROUTES === undefined ? null : routesToml(env.WORKER_ROUTES, env.WORKER_ZONE_NAME);
  if (routes) {
    if (!isSingleLineValue(current, PRODUCTION_TABLE, "routes")) {
      throw new ScriptError("routes in [env.production] span several lines; put them on one line (or unset WORKER_ROUTES to keep them as they are).", 2);
    }
    apply(setTableValue(current, PRODUCTION_TABLE, "routes", routes), "routes set");
  }
  return { text: current, changes };
}
