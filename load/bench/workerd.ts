/**
 * Serves a Worker the fastest local way (TOOLCHAIN "Running the Worker locally"): a bare
 * `workerd serve` of a capnp config around the bundle that `wrangler deploy --dry-run` writes,
 * with no Miniflare or wrangler proxy in front. Outbound fetch may reach loopback addresses only.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { startChild, waitForLine, type Child } from "../lib/child";

const require = createRequire(import.meta.url);

export interface WorkerdConfigOptions {
  /** File name of the ES module, relative to the config file's folder. */
  mainModule: string;
  compatibilityDate: string;
  compatibilityFlags: readonly string[];
  /** Plain-text bindings (the Worker's `[vars]`). */
  bindings: Readonly<Record<string, string>>;
}

function capnpText(value: string): string {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new Error(`Failed to write workerd config: value ${JSON.stringify(value)} is not printable ASCII.`);
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** The capnp config: one Worker on 127.0.0.1 (port chosen by the OS), fetch allowed to loopback only. */
export function workerdConfig(options: WorkerdConfigOptions): string {
  const bindings = Object.entries(options.bindings)
    .map(([name, value]) => `(name = ${capnpText(name)}, text = ${capnpText(value)})`)
    .join(", ");
  const flags = options.compatibilityFlags.map(capnpText).join(", ");
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .mainWorker),
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);
const mainWorker :Workerd.Worker = (
  modules = [ (name = ${capnpText(options.mainModule)}, esModule = embed ${capnpText(options.mainModule)}) ],
  compatibilityDate = ${capnpText(options.compatibilityDate)},
  compatibilityFlags = [${flags}],
  bindings = [${bindings}],
  globalOutbound = "loopback",
);
`;
}

/** compatibility_date and compatibility_flags from a wrangler.toml (the two lines the bench needs). */
export function readCompatibility(toml: string): { compatibilityDate: string; compatibilityFlags: string[] } {
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  if (!date) throw new Error("Failed to read worker/wrangler.toml: no compatibility_date.");
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1] ?? "";
  return { compatibilityDate: date, compatibilityFlags: [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1] as string) };
}

export function workerdBinary(): string {
  return path.join(path.dirname(require.resolve("workerd/package.json")), "bin", "workerd");
}

/**
 * `wrangler deploy [--env X] --dry-run --outdir <dir>`: builds the bundle a deploy would upload,
 * offline. Resolves with wrangler's stdout (its "bindings" table says what would ship).
 */
export async function wranglerDryRun(wranglerToml: string, outDir: string, options: { env?: string; timeoutMs?: number } = {}): Promise<string> {
  const wrangler = path.join(path.dirname(require.resolve("wrangler/package.json")), "bin", "wrangler.js");
  const envArgs = options.env === undefined ? [] : ["--env", options.env];
  const child = startChild(process.execPath, [wrangler, "deploy", ...envArgs, "--dry-run", "--outdir", outDir, "--config", wranglerToml], {
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
  });
  let stdout = "";
  child.process.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => void child.stop(), options.timeoutMs ?? 120_000);
    child.process.once("exit", (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  if (code !== 0) throw new Error(`Failed to bundle the Worker: wrangler exited ${code}. ${child.stderr().slice(-800)}`);
  return stdout;
}

/** Bundles the Worker exactly as a deploy would; returns the module path. */
export async function bundleWorker(wranglerToml: string, outDir: string): Promise<string> {
  await wranglerDryRun(wranglerToml, outDir, { timeoutMs: 60_000 });
  return path.join(outDir, "index.js");
}

export interface ServedConfig {
  url: string;
  stderr(): string;
  stop(): Promise<void>;
}

/** Serves a capnp config on bare `workerd serve`; resolves once its http socket listens. */
export async function serveWorkerdConfig(configPath: string, label: string, timeoutMs = 15_000): Promise<ServedConfig> {
  const child: Child = startChild(workerdBinary(), ["serve", configPath, "--control-fd=3"], {
    stdio: ["ignore", "ignore", "pipe", "pipe"],
  });
  const control = child.process.stdio[3] as Readable;
  try {
    const port = await waitForLine(child, control, parseListenPort, timeoutMs, label);
    return { url: `http://127.0.0.1:${port}`, stderr: () => child.stderr(), stop: () => child.stop() };
  } catch (error) {
    await child.stop();
    throw new Error(`${(error as Error).message} ${child.stderr().slice(-800)}`);
  }
}

export interface ServedWorker {
  url: string;
  stop(): Promise<void>;
}

/** Copies `modulePath` into `dir`, writes the config beside it and serves it; resolves once listening. */
export async function serveWithWorkerd(
  dir: string,
  modulePath: string,
  options: Omit<WorkerdConfigOptions, "mainModule">,
): Promise<ServedWorker> {
  const mainModule = path.basename(modulePath);
  if (path.resolve(path.dirname(modulePath)) !== path.resolve(dir)) await copyFile(modulePath, path.join(dir, mainModule));
  const configPath = path.join(dir, "config.capnp");
  await writeFile(configPath, workerdConfig({ ...options, mainModule }));
  const served = await serveWorkerdConfig(configPath, `workerd (${mainModule})`);
  return { url: served.url, stop: served.stop };
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

export async function workerdVersion(): Promise<string> {
  const child = startChild(workerdBinary(), ["--version"]);
  const line = await waitForLine(child, child.process.stdout as Readable, (l) => (l ? l : undefined), 10_000, "workerd --version");
  await child.stop();
  return line;
}

/**
 * The real Worker on bare workerd with only `vars` bound (no KV, no Durable Object): enough for the
 * /api/v2 passthrough, which uses neither. stop() also removes the temporary bundle.
 */
export async function serveWorkerBundle(wranglerToml: string, vars: Readonly<Record<string, string>>): Promise<ServedWorker> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "pb-workerd-"));
  try {
    const compatibility = readCompatibility(await readFile(wranglerToml, "utf8"));
    const bundle = await bundleWorker(wranglerToml, dir);
    const served = await serveWithWorkerd(dir, bundle, { ...compatibility, bindings: vars });
    return {
      url: served.url,
      async stop() {
        await served.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
