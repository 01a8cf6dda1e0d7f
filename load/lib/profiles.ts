/**
 * load/profiles.json, parsed and checked once: the same numbers drive the k6 scripts and the Node
 * runner. Parsing returns every problem it finds, each naming the field to fix.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

export type Result<T> = { ok: true; value: T } | { ok: false; errors: string[] };

export interface RateLimitLevel {
  name: string;
  percentOfLimit: number;
  /** "all": every request of the level counts; "steady": only those after the warm-up windows. */
  scope: "all" | "steady";
  min429Rate: number;
  max429Rate: number;
}

export interface RateLimitProfile {
  path: string;
  limit: number;
  windowMs: number;
  bucketsPerLevel: number;
  warmupWindows: number;
  steadyWindows: number;
  levels: RateLimitLevel[];
  minRetryAfterCoverage: number;
  maxRetryAfterSec: number;
  recoveryPollMs: number;
  maxRecoveryMs: number;
  maxServerErrorRate: number;
}

export interface OverheadProfile {
  path: string;
  pairsPerSec: number;
  durationSec: number;
  maxAddedP50Ms: number;
  maxAddedP99Ms: number;
  maxErrorRate: number;
}

export interface BreakerProfile {
  path: string;
  ratePerSec: number;
  durationSec: number;
  failureThreshold: number;
  retries: number;
  openMs: number;
  openingSlackRequests: number;
  maxUpstreamPerClientRequest: number;
  maxOpenAnswerP50Ms: number;
  maxOpenAnswerP99Ms: number;
  minRetryAfterCoverage: number;
}

export interface Profile {
  name: string;
  description: string;
  workerVars: Record<string, string>;
  rateLimit: RateLimitProfile;
  overhead: OverheadProfile;
  breaker: BreakerProfile;
}

export interface ProfilesFile {
  defaultProfile: string;
  profiles: Record<string, Profile>;
}

export const PROFILES_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "profiles.json");

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj => typeof value === "object" && value !== null && !Array.isArray(value);

/** Collects problems while reading typed fields; `where` is the JSON path shown in messages. */
class Reader {
  readonly errors: string[] = [];

  num(obj: Obj, where: string, field: string, min: number, max: number, integer = false): number {
    const value = obj[field];
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      this.errors.push(`${where}.${field} must be ${integer ? "an integer" : "a number"} in ${min}..${max} (got ${JSON.stringify(value)})`);
      return Number.NaN;
    }
    return value;
  }

  str(obj: Obj, where: string, field: string, pattern?: RegExp): string {
    const value = obj[field];
    if (typeof value !== "string" || value === "" || (pattern && !pattern.test(value))) {
      this.errors.push(`${where}.${field} must be a non-empty string${pattern ? ` matching ${pattern}` : ""} (got ${JSON.stringify(value)})`);
      return "";
    }
    return value;
  }

  obj(obj: Obj, where: string, field: string): Obj {
    const value = obj[field];
    if (!isObj(value)) {
      this.errors.push(`${where}.${field} must be an object`);
      return {};
    }
    return value;
  }
}

const PATH = /^\/[\x21-\x7e]*$/;

function readLevel(r: Reader, raw: unknown, where: string): RateLimitLevel {
  const obj = isObj(raw) ? raw : (r.errors.push(`${where} must be an object`), {});
  const scope = obj.scope;
  if (scope !== "all" && scope !== "steady") r.errors.push(`${where}.scope must be "all" or "steady" (got ${JSON.stringify(scope)})`);
  const level: RateLimitLevel = {
    name: r.str(obj, where, "name", /^[a-z0-9_]+$/),
    percentOfLimit: r.num(obj, where, "percentOfLimit", 1, 1000),
    scope: scope === "steady" ? "steady" : "all",
    min429Rate: obj.min429Rate === undefined ? 0 : r.num(obj, where, "min429Rate", 0, 1),
    max429Rate: r.num(obj, where, "max429Rate", 0, 1),
  };
  if (level.min429Rate > level.max429Rate) r.errors.push(`${where}: min429Rate must not exceed max429Rate`);
  return level;
}

function readRateLimit(r: Reader, obj: Obj, where: string): RateLimitProfile {
  const levelsRaw = obj.levels;
  if (!Array.isArray(levelsRaw) || levelsRaw.length === 0) r.errors.push(`${where}.levels must be a non-empty array`);
  const levels = Array.isArray(levelsRaw) ? levelsRaw.map((level, i) => readLevel(r, level, `${where}.levels[${i}]`)) : [];
  const names = new Set(levels.map((level) => level.name));
  if (names.size !== levels.length) r.errors.push(`${where}.levels names must be unique`);
  return {
    path: r.str(obj, where, "path", PATH),
    limit: r.num(obj, where, "limit", 1, 10000, true),
    windowMs: r.num(obj, where, "windowMs", 1000, 3600000, true),
    bucketsPerLevel: r.num(obj, where, "bucketsPerLevel", 1, 50, true),
    warmupWindows: r.num(obj, where, "warmupWindows", 0, 20, true),
    steadyWindows: r.num(obj, where, "steadyWindows", 1, 20, true),
    levels,
    minRetryAfterCoverage: r.num(obj, where, "minRetryAfterCoverage", 0, 1),
    maxRetryAfterSec: r.num(obj, where, "maxRetryAfterSec", 1, 86400, true),
    recoveryPollMs: r.num(obj, where, "recoveryPollMs", 50, 60000, true),
    maxRecoveryMs: r.num(obj, where, "maxRecoveryMs", 100, 3600000, true),
    maxServerErrorRate: r.num(obj, where, "maxServerErrorRate", 0, 1),
  };
}

function readOverhead(r: Reader, obj: Obj, where: string): OverheadProfile {
  return {
    path: r.str(obj, where, "path", PATH),
    pairsPerSec: r.num(obj, where, "pairsPerSec", 1, 1000, true),
    durationSec: r.num(obj, where, "durationSec", 1, 3600, true),
    maxAddedP50Ms: r.num(obj, where, "maxAddedP50Ms", 0, 60000),
    maxAddedP99Ms: r.num(obj, where, "maxAddedP99Ms", 0, 60000),
    maxErrorRate: r.num(obj, where, "maxErrorRate", 0, 1),
  };
}

function readBreaker(r: Reader, obj: Obj, where: string): BreakerProfile {
  return {
    path: r.str(obj, where, "path", PATH),
    ratePerSec: r.num(obj, where, "ratePerSec", 1, 1000, true),
    durationSec: r.num(obj, where, "durationSec", 1, 3600, true),
    failureThreshold: r.num(obj, where, "failureThreshold", 1, 20, true),
    retries: r.num(obj, where, "retries", 0, 5, true),
    openMs: r.num(obj, where, "openMs", 1000, 120000, true),
    openingSlackRequests: r.num(obj, where, "openingSlackRequests", 0, 1000, true),
    maxUpstreamPerClientRequest: r.num(obj, where, "maxUpstreamPerClientRequest", 0, 100),
    maxOpenAnswerP50Ms: r.num(obj, where, "maxOpenAnswerP50Ms", 0, 60000),
    maxOpenAnswerP99Ms: r.num(obj, where, "maxOpenAnswerP99Ms", 0, 60000),
    minRetryAfterCoverage: r.num(obj, where, "minRetryAfterCoverage", 0, 1),
  };
}

/** The profile's numbers must match the Worker variables it asks the stack to run with. */
function checkVarsAgree(r: Reader, profile: Profile, where: string): void {
  const expect = (variable: string, value: number, field: string) => {
    const configured = profile.workerVars[variable];
    if (configured !== undefined && Number(configured) !== value) {
      r.errors.push(`${where}.${field} is ${value} but workerVars.${variable} is "${configured}"; make them agree`);
    }
  };
  expect("RATE_LIMIT_MAX", profile.rateLimit.limit, "rateLimit.limit");
  expect("RATE_LIMIT_WINDOW_MS", profile.rateLimit.windowMs, "rateLimit.windowMs");
  expect("VPS_PROXY_CIRCUIT_OPEN_MS", profile.breaker.openMs, "breaker.openMs");
  expect("VPS_PROXY_CIRCUIT_FAILURE_THRESHOLD", profile.breaker.failureThreshold, "breaker.failureThreshold");
  expect("VPS_PROXY_RETRIES", profile.breaker.retries, "breaker.retries");
}

function readProfile(r: Reader, name: string, raw: unknown): Profile {
  const where = `profiles.${name}`;
  const obj = isObj(raw) ? raw : (r.errors.push(`${where} must be an object`), {});
  const varsRaw = r.obj(obj, where, "workerVars");
  const workerVars: Record<string, string> = {};
  for (const [key, value] of Object.entries(varsRaw)) {
    if (typeof value !== "string") r.errors.push(`${where}.workerVars.${key} must be a string`);
    else workerVars[key] = value;
  }
  const profile: Profile = {
    name,
    description: typeof obj.description === "string" ? obj.description : "",
    workerVars,
    rateLimit: readRateLimit(r, r.obj(obj, where, "rateLimit"), `${where}.rateLimit`),
    overhead: readOverhead(r, r.obj(obj, where, "overhead"), `${where}.overhead`),
    breaker: readBreaker(r, r.obj(obj, where, "breaker"), `${where}.breaker`),
  };
  checkVarsAgree(r, profile, where);
  return profile;
}

export function parseProfiles(raw: unknown): Result<ProfilesFile> {
  const r = new Reader();
  if (!isObj(raw)) return { ok: false, errors: ["profiles.json must hold a JSON object"] };
  const profilesRaw = r.obj(raw, "$", "profiles");
  const profiles: Record<string, Profile> = {};
  for (const [name, value] of Object.entries(profilesRaw)) profiles[name] = readProfile(r, name, value);
  const defaultProfile = r.str(raw, "$", "defaultProfile");
  if (defaultProfile && !(defaultProfile in profiles)) r.errors.push(`$.defaultProfile "${defaultProfile}" is not one of: ${Object.keys(profiles).join(", ")}`);
  return r.errors.length ? { ok: false, errors: r.errors } : { ok: true, value: { defaultProfile, profiles } };
}

export async function loadProfile(name: string | undefined, file = PROFILES_PATH): Promise<Profile> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new Error(`Failed to read ${file}: ${error instanceof Error ? error.message : String(error)}.`);
  }
  const parsed = parseProfiles(raw);
  if (!parsed.ok) throw new Error(`Failed to parse ${file}:\n- ${parsed.errors.join("\n- ")}`);
  const chosen = name ?? parsed.value.defaultProfile;
  const profile = parsed.value.profiles[chosen];
  if (!profile) throw new Error(`No profile "${chosen}" in ${file}; choose one of: ${Object.keys(parsed.value.profiles).join(", ")}.`);
  return profile;
}

/** Milliseconds between two requests of one bucket at a level (the bucket's own arrival interval). */
export function bucketIntervalMs(rateLimit: RateLimitProfile, level: RateLimitLevel): number {
  return rateLimit.windowMs / ((rateLimit.limit * level.percentOfLimit) / 100);
}

export function rateLimitDurationMs(rateLimit: RateLimitProfile): number {
  return (rateLimit.warmupWindows + rateLimit.steadyWindows) * rateLimit.windowMs;
}

/** Most probes a correct circuit lets through in the breaker run: one per open window, plus one. */
export function maxProbes(breaker: BreakerProfile): number {
  return Math.floor((breaker.durationSec * 1000) / breaker.openMs) + 1;
}

/**
 * Upstream calls a correct circuit allows in the whole breaker run: the requests that open it (each
 * with its retries, plus the ones already in flight when it opened) and one unretried probe per window.
 */
export function maxUpstreamCalls(breaker: BreakerProfile): number {
  return (breaker.retries + 1) * (breaker.failureThreshold + breaker.openingSlackRequests) + maxProbes(breaker);
}
