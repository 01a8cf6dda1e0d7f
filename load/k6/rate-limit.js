// @ts-check
/**
 * Rate limit at 80 / 100 / 150 % of the limit (constant-arrival-rate), all levels at once, each on
 * its own client IPs (cf-connecting-ip) so each bucket sees exactly its level; then recovery.
 *   k6 run -e BASE_URL=http://127.0.0.1:8787 load/k6/rate-limit.js            (smoke profile)
 *   k6 run -e BASE_URL=… -e PROFILE=full -e LEVELS=150pct -e BUCKETS=1 …      (a deployment)
 * The target must run with the profile's RATE_LIMIT_MAX / RATE_LIMIT_WINDOW_MS. Behind Cloudflare
 * the edge sets cf-connecting-ip itself: run one level at a time with BUCKETS=1 there.
 */
import http from "k6/http";
import exec from "k6/execution";
import { sleep } from "k6";
import { Rate, Trend } from "k6/metrics";
import { arrivalRate, bucketIp, preflight, requiredUrl, retryAfterSeconds, selectProfile } from "./lib/profile.js";

const PROFILE = selectProfile(open("../profiles.json"), __ENV.PROFILE);
const RL = PROFILE.rateLimit;
const BASE_URL = requiredUrl(__ENV.BASE_URL, "BASE_URL");
const BUCKETS = __ENV.BUCKETS ? Number(__ENV.BUCKETS) : RL.bucketsPerLevel;
const WANTED = __ENV.LEVELS ? __ENV.LEVELS.split(",") : RL.levels.map((level) => level.name);
const LEVELS = RL.levels.filter((level) => WANTED.includes(level.name));
const WARMUP_MS = RL.warmupWindows * RL.windowMs;
const DURATION_MS = (RL.warmupWindows + RL.steadyWindows) * RL.windowMs;
const OVERLOADED = LEVELS.filter((level) => level.percentOfLimit > 100);

const limited = new Rate("rl_429");
const withRetryAfter = new Rate("rl_429_with_retry_after");
const retryAfter = new Trend("rl_retry_after_sec");
const serverErrors = new Rate("rl_server_error");
const recovery = new Trend("rl_recovery_ms", true);

/** @type {Record<string, import("k6/options").Scenario>} */
const scenarios = {};
/** @type {Record<string, string[]>} */
const thresholds = {
  rl_429_with_retry_after: [`rate>=${RL.minRetryAfterCoverage}`],
  rl_retry_after_sec: [`max<=${RL.maxRetryAfterSec}`],
  rl_server_error: [`rate<=${RL.maxServerErrorRate}`],
};
for (const level of LEVELS) {
  const { rate, timeUnit } = arrivalRate((RL.limit * level.percentOfLimit * BUCKETS) / 100, RL.windowMs);
  const perSec = (rate * 1000) / parseInt(timeUnit, 10);
  scenarios[`level_${level.name}`] = {
    executor: "constant-arrival-rate",
    exec: "runLevel",
    rate,
    timeUnit,
    duration: `${DURATION_MS}ms`,
    preAllocatedVUs: Math.max(2, Math.ceil(perSec)),
    maxVUs: Math.max(10, Math.ceil(perSec * 5)),
    env: { LEVEL: level.name, LEVEL_INDEX: String(RL.levels.indexOf(level)) },
    tags: { level: level.name },
  };
  const selector = level.scope === "steady" ? `rl_429{level:${level.name},phase:steady}` : `rl_429{level:${level.name}}`;
  thresholds[selector] = [`rate<=${level.max429Rate}`, ...(level.min429Rate ? [`rate>=${level.min429Rate}`] : [])];
}
if (OVERLOADED.length > 0) {
  scenarios.recovery = {
    executor: "per-vu-iterations",
    exec: "recover",
    vus: OVERLOADED.length * BUCKETS,
    iterations: 1,
    startTime: `${DURATION_MS}ms`,
    maxDuration: `${RL.maxRecoveryMs + RL.windowMs}ms`,
  };
  thresholds.rl_recovery_ms = [`max<=${RL.maxRecoveryMs}`];
}

export const options = { scenarios, thresholds, setupTimeout: "10s" };

/** @param {string} ip */
function connect(ip) {
  return http.post(`${BASE_URL}${RL.path}`, "{}", {
    headers: { "content-type": "application/json", "cf-connecting-ip": ip },
    tags: { name: "connect" },
    timeout: "5s",
    responseCallback: http.expectedStatuses(400, 429),
  });
}

/**
 * @param {import("k6/http").RefinedResponse<any>} response
 * @param {Record<string, string>} tags
 */
function record(response, tags) {
  const is429 = response.status === 429;
  serverErrors.add(response.status === 0 || response.status >= 500, tags);
  if (is429) {
    const seconds = retryAfterSeconds(response.headers["Retry-After"]);
    withRetryAfter.add(seconds !== null, tags);
    if (seconds !== null) retryAfter.add(seconds, tags);
  }
  return is429;
}

export function setup() {
  preflight(BASE_URL, "the Worker (BASE_URL)");
  const runTag = Date.now() % 250;
  // Warm the isolate and the Durable Object on a bucket of its own (a cold start bunches the first requests).
  for (let i = 0; i < 10; i += 1) connect(bucketIp(runTag, 99, 0));
  return { runTag };
}

/** @param {{ runTag: number }} data */
export function runLevel(data) {
  const levelName = /** @type {string} */ (__ENV.LEVEL);
  const bucket = exec.scenario.iterationInTest % BUCKETS;
  const phase = Date.now() - exec.scenario.startTime >= WARMUP_MS ? "steady" : "warmup";
  const response = connect(bucketIp(data.runTag, Number(__ENV.LEVEL_INDEX), bucket));
  const tags = { level: levelName, phase };
  limited.add(record(response, tags), tags);
}

/** One VU per overloaded bucket: poll until accepted again; no answer within the bound records a breach. */
export function recover(/** @type {{ runTag: number }} */ data) {
  const index = exec.scenario.iterationInTest;
  const levelIndex = RL.levels.indexOf(/** @type {import("./lib/profile.js").Level} */ (OVERLOADED[Math.floor(index / BUCKETS)]));
  const ip = bucketIp(data.runTag, levelIndex, index % BUCKETS);
  const started = exec.scenario.startTime;
  while (Date.now() - started <= RL.maxRecoveryMs + RL.windowMs - RL.recoveryPollMs) {
    const sentAt = Date.now();
    const response = connect(ip);
    if (!record(response, { phase: "recovery" }) && response.status !== 0) {
      recovery.add(sentAt - started);
      return;
    }
    sleep(RL.recoveryPollMs / 1000);
  }
  recovery.add(RL.maxRecoveryMs + RL.windowMs);
}
