import { isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, found from this file's location so scripts work from any cwd. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export const DEFAULT_WRANGLER_TOML = join(REPO_ROOT, "worker", "wrangler.toml");

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The wrangler.toml to read and edit: `--config <path>` wins, then PB_WRANGLER_TOML, then the
 * repo's worker/wrangler.toml. Tests point it at a temp copy so the real file is never modified.
 */
export function resolveWranglerToml(flag: string | undefined, env: Env, cwd: string): string {
  const chosen = flag ?? env.PB_WRANGLER_TOML;
  return chosen ? resolve(cwd, chosen) : DEFAULT_WRANGLER_TOML;
}

/** Repo-local wrangler config home (gitignored); also holds the rotation drill's state file. */
export function resolveOpsHome(env: Env): string {
  return env.PB_OPS_HOME ? resolve(env.PB_OPS_HOME) : join(REPO_ROOT, ".wrangler-home");
}

/** `worker/wrangler.toml` as wrangler should see it: relative to the repo when inside it. */
export function configArgFor(tomlPath: string): string {
  const rel = relative(REPO_ROOT, tomlPath);
  return rel.startsWith("..") || isAbsolute(rel) ? tomlPath : rel;
}

/** What to call the file in messages. */
export function displayPath(path: string): string {
  return configArgFor(path);
}
