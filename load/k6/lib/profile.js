// @ts-check
/**
 * Helpers shared by the k6 scripts: choose a profile from load/profiles.json (each script open()s
 * it), turn "N per window" into integer k6 arrival rates, and fail fast on an unreachable target.
 * The Node runner (load/lib/*.ts) implements the same rules; keep the two in step.
 */
import http from "k6/http";
import exec from "k6/execution";

/**
 * @typedef {{ name: string, percentOfLimit: number, scope: "all" | "steady", min429Rate?: number, max429Rate: number }} Level
 * @typedef {{ path: string, limit: number, windowMs: number, bucketsPerLevel: number, warmupWindows: number, steadyWindows: number,
 *   levels: Level[], minRetryAfterCoverage: number, maxRetryAfterSec: number, recoveryPollMs: number, maxRecoveryMs: number,
 *   maxServerErrorRate: number }} RateLimitProfile
 * @typedef {{ path: string, pairsPerSec: number, durationSec: number, maxAddedP50Ms: number, maxAddedP99Ms: number, maxErrorRate: number }} OverheadProfile
 * @typedef {{ path: string, ratePerSec: number, durationSec: number, failureThreshold: number, retries: number, openMs: number,
 *   openingSlackRequests: number, maxUpstreamPerClientRequest: number, maxOpenAnswerP50Ms: number, maxOpenAnswerP99Ms: number,
 *   minRetryAfterCoverage: number }} BreakerProfile
 * @typedef {{ description: string, workerVars: Record<string, string>, rateLimit: RateLimitProfile, overhead: OverheadProfile, breaker: BreakerProfile }} Profile
 */

/**
 * @param {string} json contents of load/profiles.json
 * @param {string | undefined} name the PROFILE env var (default: the file's defaultProfile)
 * @returns {Profile}
 */
export function selectProfile(json, name) {
  const file = JSON.parse(json);
  const chosen = name || file.defaultProfile;
  const profile = file.profiles[chosen];
  if (!profile) throw new Error(`No profile "${chosen}" in load/profiles.json; choose one of: ${Object.keys(file.profiles).join(", ")}.`);
  return profile;
}

/**
 * @param {string | undefined} value
 * @param {string} variable
 * @returns {string} the URL's origin
 */
export function requiredUrl(value, variable) {
  if (!value) throw new Error(`Set ${variable}, e.g. k6 run -e ${variable}=http://127.0.0.1:8787 …`);
  const match = /^(https?:\/\/[^/]+)\/?$/.exec(value.trim());
  if (!match) throw new Error(`${variable} must be an origin like http://127.0.0.1:8787 (got "${value}").`);
  return /** @type {string} */ (match[1]);
}

/**
 * A k6 arrival rate for `perWindow` requests every `windowMs`: the smallest whole multiple.
 * @param {number} perWindow
 * @param {number} windowMs
 * @returns {{ rate: number, timeUnit: string }}
 */
export function arrivalRate(perWindow, windowMs) {
  for (let k = 1; k <= 1000; k += 1) {
    const rate = perWindow * k;
    if (Math.abs(rate - Math.round(rate)) < 1e-9) return { rate: Math.round(rate), timeUnit: `${windowMs * k}ms` };
  }
  throw new Error(`Cannot express ${perWindow} per ${windowMs} ms as a whole arrival rate.`);
}

/**
 * Aborts the test within seconds when nothing answers at `origin`.
 * @param {string} origin
 * @param {string} what
 */
export function preflight(origin, what) {
  const response = http.get(`${origin}/`, { timeout: "3s", tags: { name: "preflight" } });
  if (response.status === 0) exec.test.abort(`Cannot reach ${what} at ${origin}: ${response.error || "no answer"} within 3 s.`);
}

/**
 * Client IP of one rate-limit bucket (loopback-range values; only a header, never an address we call).
 * @param {number} runTag @param {number} levelIndex @param {number} bucket
 */
export function bucketIp(runTag, levelIndex, bucket) {
  return `127.${1 + (runTag % 250)}.${levelIndex + 1}.${bucket + 1}`;
}

/**
 * Retry-After as whole seconds ≥ 1, else null.
 * @param {string | undefined} value
 * @returns {number | null}
 */
export function retryAfterSeconds(value) {
  if (value === undefined || !/^\d+$/.test(value.trim())) return null;
  const seconds = Number(value.trim());
  return seconds >= 1 ? seconds : null;
}

/**
 * `error.cause` of a Worker error envelope.
 * @param {import("k6/http").RefinedResponse<any>} response
 * @returns {string | undefined}
 */
export function errorCause(response) {
  try {
    const body = JSON.parse(String(response.body));
    return body && body.error ? body.error.cause : undefined;
  } catch (_) {
    return undefined;
  }
}
