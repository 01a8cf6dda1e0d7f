import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setKvWriteOutage } from "./kv-outage";
import { createLabControl, type LabControl } from "../control/lab-control";
import { backendService } from "../fakes/backend";
import { geminiService } from "../fakes/gemini";
import { openrouterService } from "../fakes/openrouter";
import { LOOPBACK_HOST, startFakeServer, type FakeServer } from "../adapters/node-http";

export interface StackOptions {
  /** Merged over the defaults (NODE_ENV, KEY_ENCRYPTION_SECRET, VPS_API_ORIGIN, provider bases). */
  workerVars?: Record<string, string>;
  /** Local KV + DO state dir; default a fresh temp dir, removed on stop. */
  persistDir?: string;
  /** Seeds the fakes' RNG (default 1). */
  seed?: number;
  /** Default 0 (a free port). */
  workerPort?: number;
  quiet?: boolean;
}

export interface KvEntry {
  key: string;
  value: string | null;
}

export interface Stack {
  workerUrl: string;
  backendUrl: string;
  geminiUrl: string;
  openrouterUrl: string;
  persistDir: string;
  control: LabControl;
  /** Same persistDir → KV/DO survive; vars merged over the previous ones; keys set to "" are removed. */
  restartWorker(vars?: Record<string, string>): Promise<void>;
  /** The Worker's current variables (secrets included: never print them). */
  workerVars(): Record<string, string>;
  /** Every entry of the Worker's local AI_SESSIONS namespace, read through Miniflare (no Worker route). */
  readKv(): Promise<KvEntry[]>;
  /** Console lines the Worker printed (its JSON log lines), for "no secret in logs" checks. */
  workerLogs(): string[];
  /** Breaks (or restores) local KV writes on the running Worker; see kv-outage.ts. */
  setKvOutage(on: boolean): Promise<void>;
  stop(): Promise<void>;
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const WRANGLER_CONFIG = join(REPO_ROOT, "worker/wrangler.toml");

/** The part of Miniflare's KV namespace the lab reads. */
interface ListableKv {
  list(options: { cursor?: string }): Promise<{ keys: { name: string }[]; list_complete: boolean; cursor?: string }>;
  get(key: string): Promise<string | null>;
}

type Wrangler = typeof import("wrangler");
type DevWorker = Awaited<ReturnType<Wrangler["unstable_startWorker"]>>;

async function loadWrangler(quiet: boolean): Promise<Wrangler> {
  // Set before wrangler is imported: no telemetry, no Request.cf download (offline machines).
  process.env.WRANGLER_SEND_METRICS = "false";
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
  process.env.WRANGLER_WRITE_LOGS = "false";
  if (quiet && process.env.WRANGLER_LOG === undefined) process.env.WRANGLER_LOG = "error";
  return import("wrangler");
}

/** A secret that passes the Worker's checks (≥ 32 chars, no placeholder fragments); new per stack. */
export function randomSecret(): string {
  return randomBytes(36).toString("base64url").slice(0, 48);
}

/** Merges vars; a key set to "" is removed (how a scenario unsets KEY_ENCRYPTION_SECRET_PREV). */
export function mergeVars(base: Record<string, string>, overrides: Record<string, string> = {}): Record<string, string> {
  const merged = { ...base, ...overrides };
  for (const [name, value] of Object.entries(merged)) if (value === "") delete merged[name];
  return merged;
}

const SECRET_NAME = /SECRET|TOKEN|PASSWORD|API_KEY/i;

/** Secrets go in as secret_text so wrangler prints "(hidden)" instead of a prefix of the value. */
function toBindings(vars: Record<string, string>): Record<string, { type: "plain_text" | "secret_text"; value: string }> {
  return Object.fromEntries(
    Object.entries(vars).map(([name, value]) => [name, { type: SECRET_NAME.test(name) ? "secret_text" : "plain_text", value }]),
  );
}

/**
 * Starts the local stack: three fakes (backend, Gemini, OpenRouter) on 127.0.0.1 free ports, and
 * the Worker on workerd through wrangler's `unstable_startWorker` with local KV + DO persisted in
 * `persistDir`. Everything started here is stopped by `stop()` (idempotent).
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const quiet = options.quiet ?? false;
  const control = createLabControl(options.seed ?? 1);
  const fakes: FakeServer[] = [];
  const ownsPersistDir = options.persistDir === undefined;
  const persistDir = resolve(options.persistDir ?? (await mkdtemp(join(tmpdir(), "pb-lab-"))));
  const logs: string[] = [];
  let worker: DevWorker | undefined;
  let stopped = false;
  // wrangler exits the process itself on SIGINT/SIGTERM (after stopping workerd), before an async
  // stop() could finish: remove our temp state dir synchronously on exit as well.
  const removeOnExit = () => {
    if (ownsPersistDir) rmSync(persistDir, { recursive: true, force: true });
  };
  process.once("exit", removeOnExit);

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // Bounded: when the whole process group got the signal, workerd may already be gone and
    // dispose() can wait forever; the temp dir must still be removed.
    const disposing = worker?.dispose().catch(() => undefined);
    await Promise.race([disposing, new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
    await Promise.all(fakes.map((fake) => fake.close()));
    if (ownsPersistDir) await rm(persistDir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
    process.off("exit", removeOnExit);
  };

  try {
    for (const service of [backendService, geminiService, openrouterService]) fakes.push(await startFakeServer(service, control));
    const [backend, gemini, openrouter] = fakes as [FakeServer, FakeServer, FakeServer];
    // An empty env file keeps a developer's worker/.dev.vars out of the lab (wrangler reads it otherwise).
    await mkdir(persistDir, { recursive: true });
    const envFile = join(persistDir, "lab.env");
    await writeFile(envFile, "");
    let vars = mergeVars(
      {
        NODE_ENV: "development",
        KEY_ENCRYPTION_SECRET: randomSecret(),
        VPS_API_ORIGIN: backend.url,
        GEMINI_API_BASE: gemini.url,
        OPENROUTER_API_BASE: openrouter.url,
        // The diagnostics page's fault panel drives the fakes through this (worker/src/dev/lab-control.ts).
        DEV_FAULT_CONTROL_URL: `${backend.url}/__lab`,
      },
      options.workerVars,
    );
    const wrangler = await loadWrangler(quiet);
    let port = options.workerPort ?? 0;

    const launch = async (): Promise<string> => {
      worker = await wrangler.unstable_startWorker({
        config: WRANGLER_CONFIG,
        envFiles: [envFile],
        bindings: toBindings(vars),
        dev: {
          server: { hostname: LOOPBACK_HOST, port },
          inspector: false,
          watch: false,
          persist: persistDir,
          structuredLogsHandler: (entry: { message: string }) => {
            logs.push(entry.message);
            if (!quiet) process.stdout.write(`[worker] ${entry.message}\n`);
          },
        },
      });
      await worker.ready;
      const url = await worker.url;
      port = Number(url.port);
      return url.origin;
    };

    const workerUrl = await launch();
    return {
      workerUrl,
      backendUrl: backend.url,
      geminiUrl: gemini.url,
      openrouterUrl: openrouter.url,
      persistDir,
      control,
      async restartWorker(next) {
        vars = mergeVars(vars, next);
        await worker?.dispose();
        worker = undefined;
        const url = await launch();
        if (url !== workerUrl) throw new Error(`Failed to restart the Worker on ${workerUrl}: it came back on ${url}. Another process took the port.`);
      },
      workerVars: () => ({ ...vars }),
      async readKv() {
        const mf = worker?.raw.runtimes[0]?.mf;
        if (!mf) throw new Error("Failed to read KV: the Worker is not running.");
        const kv = (await mf.getKVNamespace("AI_SESSIONS")) as unknown as ListableKv;
        const entries: KvEntry[] = [];
        let cursor: string | undefined;
        do {
          const page = await kv.list(cursor ? { cursor } : {});
          for (const { name } of page.keys) entries.push({ key: name, value: await kv.get(name) });
          cursor = page.list_complete ? undefined : page.cursor;
        } while (cursor);
        return entries;
      },
      workerLogs: () => [...logs],
      setKvOutage: (on) => setKvWriteOutage(persistDir, on),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
