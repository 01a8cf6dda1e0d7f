import { spawn, type StdioOptions } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ScriptError, type ScriptIo } from "./cli";
import { configArgFor, REPO_ROOT, resolveOpsHome } from "./paths";

/** The one way the ops scripts run wrangler (docs/ops.md). */
export interface WranglerCall {
  /** wrangler arguments before `--config` (e.g. ["kv", "namespace", "create", "AI_SESSIONS"]). */
  args: string[];
  tomlPath: string;
  /** Sent on stdin (how `wrangler secret put` receives a secret); never on the command line. */
  stdin?: string;
  /** Values to mask if wrangler ever echoed them. */
  redact?: string[];
  /** Inherit the terminal instead of capturing output (`wrangler dev`). */
  interactive?: boolean;
  /** Extra environment for this call. */
  extraEnv?: Record<string, string>;
}

export type WranglerFailure = "auth" | "network" | "other";

export interface WranglerResult {
  code: number;
  stdout: string;
  stderr: string;
  failure: WranglerFailure | null;
}

/** WRANGLER_BIN (absolute path or a command on PATH) else the repo's node_modules/.bin/wrangler. */
export function wranglerBinary(env: Readonly<Record<string, string | undefined>>): string {
  const chosen = env.WRANGLER_BIN?.trim();
  return chosen ? chosen : join(REPO_ROOT, "node_modules", ".bin", "wrangler");
}

const SECRET_VARIABLES = ["KEY_ENCRYPTION_SECRET", "KEY_ENCRYPTION_SECRET_PREV", "METRICS_TOKEN", "ADMIN_TOKEN"];

/** Child environment: no metrics, repo-local config home, and none of our secrets in it. */
export function wranglerEnv(env: Readonly<Record<string, string | undefined>>, extra: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !SECRET_VARIABLES.includes(name)) out[name] = value;
  }
  return { ...out, WRANGLER_SEND_METRICS: "false", XDG_CONFIG_HOME: resolveOpsHome(env), ...extra };
}

const AUTH_PATTERNS = [
  /Authentication error/i,
  /code:\s*(10000|9106|9109|10001)\b/,
  /not authorized/i,
  /Invalid API Token/i,
  /Unable to authenticate/i,
  /You are not authenticated/i,
  /necessary to set a CLOUDFLARE_API_TOKEN/i,
];
const NETWORK_PATTERNS = [/fetch failed/i, /ENOTFOUND/, /ECONNREFUSED/, /ECONNRESET/, /ETIMEDOUT/, /EAI_AGAIN/, /network error/i, /socket hang up/i];

/** Classifies a failed wrangler run from its output. Pure. */
export function classifyFailure(output: string): WranglerFailure {
  if (AUTH_PATTERNS.some((pattern) => pattern.test(output))) return "auth";
  if (NETWORK_PATTERNS.some((pattern) => pattern.test(output))) return "network";
  return "other";
}

/** The next step to print for a failure kind. */
export function failureAdvice(kind: WranglerFailure): string[] {
  switch (kind) {
    case "auth":
      return [
        "Cloudflare rejected the credentials. Create an API token (dash.cloudflare.com → My Profile → API Tokens) with:",
        "  - Account → Workers Scripts: Edit",
        "  - Account → Workers KV Storage: Edit",
        "  - Account → Account Settings: Read",
        "  - Zone → Workers Routes: Edit (for the zone that serves /api/*, when routes are in wrangler.toml)",
        "then `export CLOUDFLARE_API_TOKEN=…` (and CLOUDFLARE_ACCOUNT_ID if the token sees several accounts) and re-run.",
      ];
    case "network":
      return [
        "wrangler could not reach the Cloudflare API (network error).",
        "Check the connection / proxy (HTTPS_PROXY) and DNS for api.cloudflare.com, then re-run the same command: it is safe to repeat.",
      ];
    case "other":
      return ["wrangler failed; its output is above. Fix the cause and re-run the same command."];
  }
}

function mask(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join("[redacted]");
  return out;
}

function echo(io: ScriptIo, text: string): void {
  for (const line of text.split(/\r?\n/)) if (line.trim() !== "") io.out(`    │ ${line}`);
}

/** Runs wrangler once with `--config <toml>`; output captured (and echoed, masked) unless interactive. */
export function runWrangler(io: ScriptIo, call: WranglerCall): Promise<WranglerResult> {
  const bin = wranglerBinary(io.env);
  const args = [...call.args, "--config", configArgFor(call.tomlPath)];
  const home = resolveOpsHome(io.env);
  if (!existsSync(home)) mkdirSync(home, { recursive: true });
  io.out(`  $ wrangler ${call.args.join(" ")} --config ${configArgFor(call.tomlPath)}`);
  return new Promise((resolve, reject) => {
    const stdio: StdioOptions = call.interactive ? "inherit" : ["pipe", "pipe", "pipe"];
    const child = spawn(bin, args, { cwd: REPO_ROOT, env: wranglerEnv(io.env, call.extraEnv) as NodeJS.ProcessEnv, stdio });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(call.stdin ?? "");
    child.on("error", (error: NodeJS.ErrnoException) => {
      reject(
        new ScriptError(
          error.code === "ENOENT"
            ? `wrangler not found at ${bin}. Run \`npm ci\`, or set WRANGLER_BIN to a wrangler executable.`
            : `could not start wrangler (${error.message}).`,
        ),
      );
    });
    child.on("close", (code: number | null) => {
      const redact = call.redact ?? [];
      const result: WranglerResult = { code: code ?? 1, stdout: mask(stdout, redact), stderr: mask(stderr, redact), failure: null };
      echo(io, result.stdout);
      echo(io, result.stderr);
      if (result.code !== 0) result.failure = classifyFailure(`${result.stdout}\n${result.stderr}`);
      resolve(result);
    });
  });
}

/** runWrangler, throwing a ScriptError with the next step when wrangler fails. */
export async function runWranglerOrFail(io: ScriptIo, call: WranglerCall, what: string, resumeHint?: string): Promise<WranglerResult> {
  const result = await runWrangler(io, call);
  if (result.code === 0) return result;
  const advice = failureAdvice(result.failure ?? "other");
  const lines = [`${what} failed (wrangler exit ${result.code}).`, ...advice];
  if (resumeHint) lines.push(resumeHint);
  throw new ScriptError(lines.join("\n"));
}
