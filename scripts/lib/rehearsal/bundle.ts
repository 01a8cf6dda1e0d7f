import { readdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { Readable } from "node:stream";
import { workerdBinary } from "../../../load/bench/workerd";
import { startChild, waitForLine } from "../../../load/lib/child";
import { rehearsalWorkerdConfig, type RehearsalWorkerd } from "./workerd-config";

const require = createRequire(import.meta.url);

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
  const wrangler = path.join(path.dirname(require.resolve("wrangler/package.json")), "bin", "wrangler.js");
  const child = startChild(process.execPath, [wrangler, "deploy", "--env", env, "--dry-run", "--outdir", dir, "--config", tomlPath], {
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
  });
  let stdout = "";
  child.process.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => void child.stop(), 120_000);
    child.process.once("exit", (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  if (code !== 0) throw new Error(`Failed to build the production bundle: wrangler exited ${code}. ${child.stderr().slice(-800)}`);
  const modules = (await readdir(dir)).filter((name) => name.endsWith(".js") || name.endsWith(".mjs") || name.endsWith(".wasm"));
  if (!modules.includes("index.js")) throw new Error(`Failed to build the production bundle: no index.js in ${dir}.`);
  return { dir, modules, mainModule: "index.js", announcedBindings: announcedBindingNames(stdout) };
}

export interface ServedRehearsal {
  url: string;
  stderr(): string;
  stop(): Promise<void>;
}

/** Writes the capnp config into the bundle's folder and serves it on bare `workerd serve`. */
export async function serveBundle(bundle: ProductionBundle, options: Omit<RehearsalWorkerd, "modules" | "mainModule">): Promise<ServedRehearsal> {
  const configPath = path.join(bundle.dir, "rehearsal.capnp");
  await writeFile(configPath, rehearsalWorkerdConfig({ ...options, modules: bundle.modules, mainModule: bundle.mainModule }));
  const child = startChild(workerdBinary(), ["serve", configPath, "--control-fd=3"], { stdio: ["ignore", "ignore", "pipe", "pipe"] });
  const control = child.process.stdio[3] as Readable;
  try {
    const port = await waitForLine(child, control, parseListenPort, 20_000, "workerd (rehearsal)");
    return { url: `http://127.0.0.1:${port}`, stderr: () => child.stderr(), stop: () => child.stop() };
  } catch (error) {
    await child.stop();
    throw new Error(`${(error as Error).message} ${child.stderr().slice(-800)}`);
  }
}

function parseListenPort(line: string): number | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const event = JSON.parse(line) as { event?: string; socket?: string; port?: number };
    return event.event === "listen" && event.socket === "http" && typeof event.port === "number" ? event.port : undefined;
  } catch {
    return undefined;
  }
}
