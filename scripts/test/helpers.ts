import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ScriptIo } from "../lib/cli";
import { runScript, type ScriptMain } from "../lib/cli";
import { DEFAULT_WRANGLER_TOML } from "../lib/paths";
import { setKvNamespaceId } from "../lib/wrangler-toml";

export const FAKE_WRANGLER = fileURLToPath(new URL("./fake-wrangler.mjs", import.meta.url));

/** A real-looking production secret (64 chars) and a second one; tests assert neither ever leaks. */
export const SECRET = "Qm9vdHN0cmFwLXRlc3Qtc2VjcmV0LXZhbHVlLTdmM2E5YzJlLTQxYjgtNGQ2";
export const OTHER_SECRET = "UHJldmlvdXMtcm90YXRpb24tc2VjcmV0LWZvci10ZXN0cy05ZTQxYTdjMmQ4";
export const API_TOKEN = "cf-token-for-tests-6b1d2e9a4c7f";

export const PRODUCTION_VARS = {
  CLERK_JWKS_URL: "https://clerk.pocketbrain.app/.well-known/jwks.json",
  CLERK_ISSUER: "https://clerk.pocketbrain.app",
  CLERK_AUDIENCE: "pocketbrain",
  VPS_API_ORIGIN: "https://api.pocketbrain.app",
  WORKER_ROUTE_MODE: "dashboard",
};

export interface FakeCall {
  argv: string[];
  cwd: string;
  stdinSha256: string | null;
  stdinBytes: number;
  env: { WRANGLER_SEND_METRICS: string | null; XDG_CONFIG_HOME: string | null; CLOUDFLARE_CF_FETCH_ENABLED: string | null; hasApiToken: boolean; hasEncryptionSecretVar: boolean; configSha256: string | null };
}

/** A temp copy of worker/wrangler.toml plus the fake's log/state and an ops home, all under one dir. */
export class Workspace {
  readonly dir = mkdtempSync(join(tmpdir(), "pb-ops-"));
  readonly tomlPath = join(this.dir, "worker", "wrangler.toml");
  readonly opsHome = join(this.dir, "ops-home");
  readonly fakeLog = join(this.dir, "fake-wrangler.log");
  readonly fakeState = join(this.dir, "fake-wrangler-state.json");

  constructor() {
    mkdirSync(join(this.dir, "worker"), { recursive: true });
    copyFileSync(DEFAULT_WRANGLER_TOML, this.tomlPath);
  }

  /** Gives [env.production] a real AI_SESSIONS id, as worker:kv:create / bootstrap would. */
  withProductionKv(id = "5f0e4d3c2b1a09f8e7d6c5b4a3928170"): this {
    writeFileSync(this.tomlPath, setKvNamespaceId(this.toml(), "AI_SESSIONS", "id", id, "env.production.kv_namespaces"));
    return this;
  }

  toml(): string {
    return readFileSync(this.tomlPath, "utf8");
  }

  calls(): FakeCall[] {
    if (!existsSync(this.fakeLog)) return [];
    return readFileSync(this.fakeLog, "utf8")
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as FakeCall);
  }

  /** Each call's argv without the trailing `--config <path>`, for exact-call assertions. */
  commands(): string[] {
    return this.calls().map((call) => {
      const at = call.argv.indexOf("--config");
      expectConfig(call.argv[at + 1], this.tomlPath);
      return call.argv.slice(0, at).join(" ");
    });
  }

  /** Base env: fake wrangler, temp toml and ops home, a token. */
  env(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
    return {
      PATH: process.env.PATH,
      WRANGLER_BIN: FAKE_WRANGLER,
      FAKE_WRANGLER_LOG: this.fakeLog,
      FAKE_WRANGLER_STATE: this.fakeState,
      PB_WRANGLER_TOML: this.tomlPath,
      PB_OPS_HOME: this.opsHome,
      CLOUDFLARE_API_TOKEN: API_TOKEN,
      ...extra,
    };
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function expectConfig(actual: string | undefined, tomlPath: string): void {
  if (actual !== tomlPath) throw new Error(`wrangler was called with --config ${actual}, expected ${tomlPath}`);
}

export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
  all: string;
}

export interface IoOptions {
  argv?: string[];
  env: Record<string, string | undefined>;
  stdin?: string | null;
  fetch?: typeof fetch;
  now?: () => number;
  sleeps?: number[];
}

/** Runs a script's main in-process with a captured terminal. */
export async function run(main: ScriptMain, options: IoOptions): Promise<CapturedRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: ScriptIo = {
    argv: options.argv ?? [],
    env: options.env,
    cwd: process.cwd(),
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    readStdin: async () => options.stdin ?? null,
    fetch: options.fetch ?? (() => Promise.reject(new Error("unexpected fetch"))),
    sleep: async (ms) => void options.sleeps?.push(ms),
    now: options.now ?? (() => Date.UTC(2026, 10, 1)),
  };
  const code = await runScript(main, io);
  const stdout = out.join("\n");
  const stderr = err.join("\n");
  return { code, stdout, stderr, all: `${stdout}\n${stderr}` };
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Every place a secret could leak: the script's output, the fake's log, the fake's state. */
export function leakSurfaces(ws: Workspace, result: CapturedRun): string {
  const files = [ws.fakeLog, ws.fakeState].filter(existsSync).map((path) => readFileSync(path, "utf8"));
  return [result.all, ...files].join("\n");
}
