import { readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { serveWorkerdConfig, wranglerDryRun, type ServedConfig } from "../../../load/bench/workerd";
import { rehearsalWorkerdConfig, type RehearsalWorkerd } from "./workerd-config";

export interface ProductionBundle {
  dir: string;
  modules: string[];
  mainModule: string;
  /** Binding names from wrangler's own "Your Worker has access to the following bindings" list. */
  announcedBindings: string[];
}

/** The names in wrangler's dry-run bindings table (`env.NAME (…)`). Pure. */
export function announcedBindingNames(output: string): string[] {
  return [...output.matchAll(/^\s*env\.([A-Za-z_][A-Za-z0-9_]*)\b/gm)].map((match) => match[1]!);
}

/** `wrangler deploy --env <env> --dry-run --outdir <dir>`: the exact bundle a deploy would upload. */
export async function buildProductionBundle(tomlPath: string, env: string, dir: string): Promise<ProductionBundle> {
  let stdout: string;
  try {
    stdout = await wranglerDryRun(tomlPath, dir, { env });
  } catch (error) {
    throw new Error(`Failed to build the production bundle: ${(error as Error).message}`);
  }
  const modules = (await readdir(dir)).filter((name) => name.endsWith(".js") || name.endsWith(".mjs") || name.endsWith(".wasm"));
  if (!modules.includes("index.js")) throw new Error(`Failed to build the production bundle: no index.js in ${dir}.`);
  return { dir, modules, mainModule: "index.js", announcedBindings: announcedBindingNames(stdout) };
}

export type { ServedConfig as ServedRehearsal } from "../../../load/bench/workerd";

/** Writes the capnp config into the bundle's folder and serves it on bare `workerd serve`. */
export async function serveBundle(bundle: ProductionBundle, options: Omit<RehearsalWorkerd, "modules" | "mainModule">): Promise<ServedConfig> {
  const configPath = path.join(bundle.dir, "rehearsal.capnp");
  await writeFile(configPath, rehearsalWorkerdConfig({ ...options, modules: bundle.modules, mainModule: bundle.mainModule }));
  return serveWorkerdConfig(configPath, "workerd (rehearsal)", 20_000);
}
