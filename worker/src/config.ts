import { parseOpsToken, type OpsTokenState } from "./ops-tokens";
import type { WorkerEnv } from "./env";
import { isLoopbackHostname, parseServiceUrl } from "./net";

/** One problem found in the configuration; `variable` names what to fix. Never contains a secret. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

export type SecretProblem = "missing" | "placeholder" | "too_short" | "weak";
/** `value` is trimmed (what new records are sealed with); `raw` is the value exactly as configured. */
export type SecretState = { ok: true; value: string; raw: string } | { ok: false; reason: SecretProblem };

export type ClerkConfig =
  | { state: "none" }
  | { state: "partial"; missing: string[] }
  | { state: "invalid"; problems: string[] }
  | { state: "complete"; jwksUrl: string; issuer: string; audience: string };

export interface WorkerConfig {
  nodeEnv: string;
  isDevEnv: boolean;
  encryptionSecret: SecretState;
  /** Previous secret during rotation; null when unset, invalid or equal to the active one. */
  previousSecret: string | null;
  previousSecretIgnored: boolean;
  clerk: ClerkConfig;
  allowInsecureDevAuth: boolean;
  vps: {
    origin: URL | null;
    originProblem: string | null;
    timeoutMs: number;
    retries: number;
    noRetryPaths: ReadonlySet<string>;
    /** Exact paths whose POST/PUT/PATCH/DELETE the backend treats as idempotent (retry-safe). */
    idempotentPaths: ReadonlySet<string>;
    maxBodyBytes: number;
    circuitFailureThreshold: number;
    circuitOpenMs: number;
  };
  providers: {
    defaultModel: string;
    geminiApiBase: string;
    openrouterApiBase: string;
    timeoutMs: number;
    retries: number;
    circuitFailureThreshold: number;
    circuitOpenMs: number;
    /** How stale an isolate's closed view of a provider breaker may get before it re-reads the shared one. */
    circuitRefreshMs: number;
  };
  rateLimit: { max: number; windowMs: number };
  /** METRICS_TOKEN / ADMIN_TOKEN secrets for remote operations (ops-tokens.ts). */
  metricsToken: OpsTokenState;
  adminToken: OpsTokenState;
  sessionTtlSeconds: number;
  allowedOrigins: ReadonlySet<string>;
  devRoutesEnabled: boolean;
  /** Dev/test only: shifts the Worker's clock (expire sessions in e2e without waiting a day). */
  devClockOffsetMs: number;
  /** Dev/test only: the local fakes' control API (`…/__lab`) the diagnostics fault panel drives; loopback only. */
  devFaultControlUrl: string | null;
  problems: ConfigProblem[];
}

export const DEFAULT_NO_RETRY_PATHS = ["/api/v2/events", "/api/v2/events/ticket"];
export const DEFAULT_GEMINI_API_BASE = "https://generativelanguage.googleapis.com";
export const DEFAULT_OPENROUTER_API_BASE = "https://openrouter.ai";
export const DEFAULT_MODEL = "google/gemini-2.5-flash";

interface IntRule {
  variable: keyof WorkerEnv & string;
  fallback: number;
  min: number;
  max: number;
}

/** Numeric variables: documented default, clamp range (docs/api.md#environment-variables). Unset, empty or non-numeric → default. */
export const INT_RULES = {
  vpsTimeoutMs: { variable: "VPS_PROXY_TIMEOUT_MS", fallback: 7000, min: 1000, max: 30000 },
  vpsRetries: { variable: "VPS_PROXY_RETRIES", fallback: 1, min: 0, max: 5 },
  vpsMaxBodyBytes: { variable: "VPS_PROXY_MAX_BODY_BYTES", fallback: 524288, min: 32768, max: 10485760 },
  vpsFailureThreshold: { variable: "VPS_PROXY_CIRCUIT_FAILURE_THRESHOLD", fallback: 3, min: 1, max: 20 },
  vpsOpenMs: { variable: "VPS_PROXY_CIRCUIT_OPEN_MS", fallback: 20000, min: 1000, max: 120000 },
  providerTimeoutMs: { variable: "PROVIDER_TIMEOUT_MS", fallback: 12000, min: 500, max: 60000 },
  providerRetries: { variable: "PROVIDER_RETRIES", fallback: 2, min: 0, max: 5 },
  providerFailureThreshold: { variable: "PROVIDER_CIRCUIT_FAILURE_THRESHOLD", fallback: 5, min: 1, max: 50 },
  providerOpenMs: { variable: "PROVIDER_CIRCUIT_OPEN_MS", fallback: 30000, min: 1000, max: 300000 },
  providerRefreshMs: { variable: "PROVIDER_CIRCUIT_REFRESH_MS", fallback: 5000, min: 100, max: 60000 },
  rateLimitMax: { variable: "RATE_LIMIT_MAX", fallback: 45, min: 1, max: 10000 },
  rateLimitWindowMs: { variable: "RATE_LIMIT_WINDOW_MS", fallback: 60000, min: 1000, max: 3600000 },
  sessionTtlSeconds: { variable: "SESSION_TTL_SECONDS", fallback: 86400, min: 60, max: 86400 },
} as const satisfies Record<string, IntRule>;

/** The original worker's placeholder rule, compared trimmed and lower-cased (docs/api.md). */
const PLACEHOLDER_FRAGMENTS = ["replace-with", "your-", "example"];
const PLACEHOLDER_VALUES = new Set([
  "replace-with-32-byte-secret",
  "replace-with-separate-stream-ticket-secret",
  "0123456789abcdef0123456789abcdef",
  "fedcba9876543210fedcba9876543210",
]);
/** Stricter heuristics for `config:check:worker` only: fragments that circulate in tutorials and test suites. */
const STRICT_FRAGMENTS = ["changeme", "change-me", "0123456789abcdef", "fedcba9876543210", "deadbeef", "abcdef0123456789", "00000000000000000000000000000000"];

const DEV_ENVS = new Set(["development", "test"]);

export function isDevNodeEnv(nodeEnv: string | undefined): boolean {
  return DEV_ENVS.has((nodeEnv ?? "").trim().toLowerCase());
}

/**
 * The runtime rule, exactly the original worker's: missing/empty, containing `replace-with`, `your-`
 * or `example`, one of its well-known values, or shorter than 32 (16 in development/test) is
 * unusable; any other value is accepted at runtime.
 */
export function checkRuntimeSecret(raw: unknown, devEnv: boolean): SecretState {
  if (typeof raw !== "string" || raw.trim() === "") return { ok: false, reason: "missing" };
  const value = raw.trim();
  const lower = value.toLowerCase();
  if (PLACEHOLDER_VALUES.has(lower) || PLACEHOLDER_FRAGMENTS.some((fragment) => lower.includes(fragment))) return { ok: false, reason: "placeholder" };
  if (value.length < (devEnv ? 16 : 32)) return { ok: false, reason: "too_short" };
  return { ok: true, value, raw };
}

/**
 * The deploy-time rule (`config:check:worker`, `worker:secret:set`): the runtime rule plus weak-secret
 * heuristics (one repeated character, well-known test fragments).
 */
export function checkSecret(raw: unknown, devEnv: boolean): SecretState {
  const runtime = checkRuntimeSecret(raw, devEnv);
  if (!runtime.ok) return runtime;
  const lower = runtime.value.toLowerCase();
  if (STRICT_FRAGMENTS.some((fragment) => lower.includes(fragment))) return { ok: false, reason: "weak" };
  if (/^(.)\1*$/.test(runtime.value)) return { ok: false, reason: "weak" };
  return runtime;
}

export function secretProblemMessage(reason: SecretProblem, devEnv: boolean): string {
  switch (reason) {
    case "missing":
      return "is not set. Set it with `npm run worker:secret:set` (or in worker/.dev.vars for local dev).";
    case "placeholder":
      return "is a placeholder or a well-known test value. Generate one with `openssl rand -base64 48`.";
    case "weak":
      return "is too weak for production: a placeholder pattern (one repeated character or a well-known test value) the Worker accepts at runtime but a deploy refuses. Generate one with `openssl rand -base64 48`.";
    case "too_short":
      return `is too short (minimum ${devEnv ? 16 : 32} characters). Generate one with \`openssl rand -base64 48\`.`;
  }
}

/** Parses an integer variable; reports (but survives) a non-numeric value. */
export function readInt(env: WorkerEnv, rule: IntRule, problems?: ConfigProblem[]): number {
  const raw = env[rule.variable];
  if (raw === undefined || raw === null) return rule.fallback;
  const text = String(raw).trim();
  if (text === "") return rule.fallback;
  if (!/^-?\d+(\.\d+)?$/.test(text)) {
    problems?.push({ variable: rule.variable, message: `is not a number ("${text.slice(0, 40)}"); using the default ${rule.fallback}.` });
    return rule.fallback;
  }
  const value = Math.trunc(Number(text));
  if (value < rule.min || value > rule.max) {
    problems?.push({ variable: rule.variable, message: `is outside ${rule.min}..${rule.max}; clamped.` });
  }
  return Math.min(rule.max, Math.max(rule.min, value));
}

function readDevClockOffset(env: WorkerEnv, problems: ConfigProblem[]): number {
  const raw = readString(env, "DEV_CLOCK_OFFSET_MS");
  if (raw === undefined) return 0;
  const value = Number(raw);
  if (!Number.isFinite(value)) {
    problems.push({ variable: "DEV_CLOCK_OFFSET_MS", message: "is not a number; ignored." });
    return 0;
  }
  return Math.trunc(value);
}

/** DEV_FAULT_CONTROL_URL: an http URL on a loopback host (the lab stack sets it), else null. */
function readDevFaultControlUrl(env: WorkerEnv, problems: ConfigProblem[]): string | null {
  const raw = readString(env, "DEV_FAULT_CONTROL_URL");
  if (raw === undefined) return null;
  const parsed = parseServiceUrl(raw);
  if (!parsed.ok || !isLoopbackHostname(parsed.url.hostname) || parsed.url.search || parsed.url.hash) {
    problems.push({ variable: "DEV_FAULT_CONTROL_URL", message: "must be an http URL on a loopback host (e.g. http://127.0.0.1:8788/__lab); the fault panel is off." });
    return null;
  }
  return parsed.url.href.replace(/\/+$/, "");
}

function readString(env: WorkerEnv, variable: string): string | undefined {
  const raw = env[variable];
  if (typeof raw !== "string") return undefined;
  const text = raw.trim();
  return text === "" ? undefined : text;
}

function readList(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

function parseClerk(env: WorkerEnv): ClerkConfig {
  const jwksUrl = readString(env, "CLERK_JWKS_URL");
  const issuer = readString(env, "CLERK_ISSUER");
  const audience = readString(env, "CLERK_AUDIENCE");
  const present = [jwksUrl, issuer, audience].filter((value) => value !== undefined).length;
  if (present === 0) return { state: "none" };
  if (present < 3) {
    const missing = [
      ["CLERK_JWKS_URL", jwksUrl],
      ["CLERK_ISSUER", issuer],
      ["CLERK_AUDIENCE", audience],
    ]
      .filter(([, value]) => value === undefined)
      .map(([name]) => name as string);
    return { state: "partial", missing };
  }
  const problems: string[] = [];
  for (const [name, value] of [
    ["CLERK_JWKS_URL", jwksUrl],
    ["CLERK_ISSUER", issuer],
  ] as const) {
    const parsed = parseServiceUrl(value!);
    if (!parsed.ok) problems.push(`${name} ${parsed.reason}`);
  }
  if (problems.length > 0) return { state: "invalid", problems };
  return { state: "complete", jwksUrl: jwksUrl!, issuer: issuer!, audience: audience! };
}

function parseBase(env: WorkerEnv, variable: string, fallback: string, problems: ConfigProblem[]): string {
  const raw = readString(env, variable);
  if (!raw) return fallback;
  const parsed = parseServiceUrl(raw);
  if (!parsed.ok) {
    problems.push({ variable, message: `${parsed.reason}; using ${fallback}.` });
    return fallback;
  }
  return parsed.url.toString().replace(/\/+$/, "");
}

function parseOrigin(raw: string | undefined): { origin: URL | null; problem: string | null } {
  if (!raw) return { origin: null, problem: null };
  const parsed = parseServiceUrl(raw);
  if (!parsed.ok) return { origin: null, problem: parsed.reason };
  return { origin: new URL(parsed.url.origin), problem: null };
}

/** Parses the Worker env once into a typed config with the documented defaults (docs/api.md#environment-variables). Pure. */
export function parseConfig(env: WorkerEnv): WorkerConfig {
  const problems: ConfigProblem[] = [];
  const nodeEnv = (readString(env, "NODE_ENV") ?? "").toLowerCase();
  const isDevEnv = isDevNodeEnv(nodeEnv);

  const encryptionSecret = checkRuntimeSecret(env.KEY_ENCRYPTION_SECRET, isDevEnv);
  if (!encryptionSecret.ok) {
    problems.push({ variable: "KEY_ENCRYPTION_SECRET", message: secretProblemMessage(encryptionSecret.reason, isDevEnv) });
  }
  let previousSecret: string | null = null;
  let previousSecretIgnored = false;
  if (readString(env, "KEY_ENCRYPTION_SECRET_PREV") !== undefined) {
    const prev = checkRuntimeSecret(env.KEY_ENCRYPTION_SECRET_PREV, isDevEnv);
    if (!prev.ok) {
      previousSecretIgnored = true;
      problems.push({ variable: "KEY_ENCRYPTION_SECRET_PREV", message: `${secretProblemMessage(prev.reason, isDevEnv)} It is ignored.` });
    } else if (encryptionSecret.ok && prev.value === encryptionSecret.value) {
      previousSecretIgnored = true;
      problems.push({ variable: "KEY_ENCRYPTION_SECRET_PREV", message: "equals KEY_ENCRYPTION_SECRET; it is ignored. Set it to the previous secret." });
    } else {
      previousSecret = prev.value;
    }
  }

  const clerk = parseClerk(env);
  if (clerk.state === "partial") {
    problems.push({ variable: "CLERK_JWKS_URL", message: `Clerk config is partial: missing ${clerk.missing.join(", ")}. Set all three CLERK_* variables or none.` });
  } else if (clerk.state === "invalid") {
    for (const problem of clerk.problems) problems.push({ variable: problem.split(" ")[0]!, message: problem.slice(problem.indexOf(" ") + 1) });
  }

  const allowInsecureDevAuth = readString(env, "ALLOW_INSECURE_DEV_AUTH")?.toLowerCase() === "true";
  const { origin, problem: originProblem } = parseOrigin(readString(env, "VPS_API_ORIGIN"));
  if (originProblem) problems.push({ variable: "VPS_API_ORIGIN", message: originProblem });

  const noRetryList = readList(readString(env, "VPS_PROXY_NO_RETRY_PATHS"));
  const idempotentPaths = new Set<string>();
  for (const item of readList(readString(env, "VPS_PROXY_IDEMPOTENT_PATHS"))) {
    if (item.startsWith("/api/v2/") && !/[?#\s]/.test(item)) idempotentPaths.add(item);
    else problems.push({ variable: "VPS_PROXY_IDEMPOTENT_PATHS", message: `"${item.slice(0, 80)}" is not an exact /api/v2/ path; ignored.` });
  }
  const allowedOrigins = new Set<string>();
  for (const item of readList(readString(env, "ALLOWED_ORIGINS"))) {
    try {
      allowedOrigins.add(new URL(item).origin);
    } catch {
      problems.push({ variable: "ALLOWED_ORIGINS", message: `"${item.slice(0, 80)}" is not an origin like https://app.example.org; ignored.` });
    }
  }

  const metricsToken = parseOpsToken(env.METRICS_TOKEN);
  const adminToken = parseOpsToken(env.ADMIN_TOKEN);
  for (const [variable, token] of [["METRICS_TOKEN", metricsToken], ["ADMIN_TOKEN", adminToken]] as const) {
    if (!token.ok && token.reason === "weak") problems.push({ variable, message: "is shorter than 32 characters, not printable ASCII, or a placeholder; it is ignored. Generate one with `openssl rand -base64 48`." });
  }

  const providerOpenMs = readInt(env, INT_RULES.providerOpenMs, problems);
  const providerRefreshMs = readInt(env, INT_RULES.providerRefreshMs, problems);
  if (providerOpenMs < 2 * providerRefreshMs) {
    // docs/decisions/0006: only an open window longer than two refresh intervals keeps stale direct calls out of half-open.
    problems.push({ variable: "PROVIDER_CIRCUIT_REFRESH_MS", message: `must be at most half of PROVIDER_CIRCUIT_OPEN_MS (${providerOpenMs} ms), or an isolate with a stale view may call a half-open provider beside the one probe.` });
  }

  return {
    nodeEnv,
    isDevEnv,
    encryptionSecret,
    previousSecret,
    previousSecretIgnored,
    clerk,
    allowInsecureDevAuth,
    vps: {
      origin,
      originProblem,
      timeoutMs: readInt(env, INT_RULES.vpsTimeoutMs, problems),
      retries: readInt(env, INT_RULES.vpsRetries, problems),
      noRetryPaths: new Set(noRetryList.length > 0 ? noRetryList : DEFAULT_NO_RETRY_PATHS),
      idempotentPaths,
      maxBodyBytes: readInt(env, INT_RULES.vpsMaxBodyBytes, problems),
      circuitFailureThreshold: readInt(env, INT_RULES.vpsFailureThreshold, problems),
      circuitOpenMs: readInt(env, INT_RULES.vpsOpenMs, problems),
    },
    providers: {
      defaultModel: readString(env, "DEFAULT_MODEL") ?? DEFAULT_MODEL,
      geminiApiBase: parseBase(env, "GEMINI_API_BASE", DEFAULT_GEMINI_API_BASE, problems),
      openrouterApiBase: parseBase(env, "OPENROUTER_API_BASE", DEFAULT_OPENROUTER_API_BASE, problems),
      timeoutMs: readInt(env, INT_RULES.providerTimeoutMs, problems),
      retries: readInt(env, INT_RULES.providerRetries, problems),
      circuitFailureThreshold: readInt(env, INT_RULES.providerFailureThreshold, problems),
      circuitOpenMs: providerOpenMs,
      circuitRefreshMs: providerRefreshMs,
    },
    rateLimit: {
      max: readInt(env, INT_RULES.rateLimitMax, problems),
      windowMs: readInt(env, INT_RULES.rateLimitWindowMs, problems),
    },
    metricsToken,
    adminToken,
    sessionTtlSeconds: readInt(env, INT_RULES.sessionTtlSeconds, problems),
    allowedOrigins,
    devRoutesEnabled: isDevEnv && readString(env, "ENABLE_DEV_ROUTES")?.toLowerCase() !== "false",
    devClockOffsetMs: isDevEnv ? readDevClockOffset(env, problems) : 0,
    devFaultControlUrl: isDevEnv ? readDevFaultControlUrl(env, problems) : null,
    problems,
  };
}

const CONFIG_VARIABLES = [
  "METRICS_TOKEN", "ADMIN_TOKEN", "NODE_ENV", "KEY_ENCRYPTION_SECRET", "KEY_ENCRYPTION_SECRET_PREV", "CLERK_JWKS_URL", "CLERK_ISSUER", "CLERK_AUDIENCE",
  "ALLOW_INSECURE_DEV_AUTH", "VPS_API_ORIGIN", "VPS_PROXY_NO_RETRY_PATHS", "VPS_PROXY_IDEMPOTENT_PATHS", "DEFAULT_MODEL", "GEMINI_API_BASE",
  "OPENROUTER_API_BASE", "ALLOWED_ORIGINS", "ENABLE_DEV_ROUTES", "DEV_CLOCK_OFFSET_MS", "DEV_FAULT_CONTROL_URL", ...Object.values(INT_RULES).map((rule) => rule.variable),
];

let lastParsed: { fingerprint: string; config: WorkerConfig } | null = null;

/**
 * parseConfig, memoised on the variables' values: the runtime may hand every request a fresh env
 * object, but the values only change on deploy (or between tests), so one entry is enough.
 */
export function getConfig(env: WorkerEnv): WorkerConfig {
  let fingerprint = "";
  for (const name of CONFIG_VARIABLES) fingerprint += `${String(env[name] ?? "")}\u0000`;
  if (lastParsed && lastParsed.fingerprint === fingerprint) return lastParsed.config;
  const config = parseConfig(env);
  lastParsed = { fingerprint, config };
  return config;
}

/**
 * Deployment rules on top of parseConfig (docs/api.md#environment-variables, config:check:worker): with production rules the
 * Clerk tuple, a valid secret and VPS_API_ORIGIN are required and insecure dev auth is an error.
 */
export function checkDeploymentConfig(env: WorkerEnv): ConfigProblem[] {
  const config = parseConfig(env);
  const problems = [...config.problems];
  if (config.isDevEnv) return problems;
  for (const variable of ["KEY_ENCRYPTION_SECRET", "KEY_ENCRYPTION_SECRET_PREV"] as const) {
    const raw = env[variable];
    if (!checkRuntimeSecret(raw, false).ok) continue;
    const strict = checkSecret(raw, false);
    if (!strict.ok) problems.push({ variable, message: secretProblemMessage(strict.reason, false) });
  }
  if (config.allowInsecureDevAuth) {
    problems.push({ variable: "ALLOW_INSECURE_DEV_AUTH", message: "must not be true in production (unsigned tokens would be accepted)." });
  } else if (config.clerk.state === "none") {
    problems.push({ variable: "CLERK_JWKS_URL", message: "Clerk is required in production: set CLERK_JWKS_URL, CLERK_ISSUER and CLERK_AUDIENCE." });
  }
  if (!config.vps.origin && !config.vps.originProblem) {
    problems.push({ variable: "VPS_API_ORIGIN", message: "is required in production (https:// origin of the backend API)." });
  }
  return problems;
}
