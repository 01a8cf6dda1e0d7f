/**
 * Rate-limit scenario: every level runs at once for warm-up + steady windows, each on its own
 * client IPs (`cf-connecting-ip`), so each bucket sees exactly percentOfLimit of the limit. Then the
 * overloaded buckets are polled until they accept again (recovery).
 */
import { runArrivals } from "./arrivals";
import { retryAfterSeconds, timedRequest, type Timed } from "./http";
import { rateLimitDurationMs, type RateLimitLevel, type RateLimitProfile } from "./profiles";
import type { LevelCounts, RateLimitMeasurement } from "./thresholds";

/** The client IP of one bucket: loopback-range values, distinct per run, level and bucket. */
export function bucketIp(runTag: number, levelIndex: number, bucket: number): string {
  return `127.${1 + (runTag % 250)}.${levelIndex + 1}.${bucket + 1}`;
}

/** The cheapest rate-limited request: connect as anon with `{}` (400 once the limiter lets it through). */
function send(baseUrl: string, profile: RateLimitProfile, ip: string): Promise<Timed> {
  return timedRequest(baseUrl + profile.path, { method: "POST", headers: { "content-type": "application/json", "cf-connecting-ip": ip }, body: "{}" });
}

const WARMUP_REQUESTS = 10;
const WARMUP_LEVEL_INDEX = 99;

interface Tally {
  counts: LevelCounts;
  lastSentAt: number[];
}

export async function runRateLimit(baseUrl: string, profile: RateLimitProfile, runTag: number, log: (line: string) => void): Promise<RateLimitMeasurement> {
  const m: RateLimitMeasurement = { levels: [], rejected: 0, rejectedWithRetryAfter: 0, maxRetryAfterSec: null, requests: 0, serverErrors: 0, recoveryMs: null };
  const record = (response: Timed): boolean => {
    m.requests += 1;
    if (response.status === 0 || response.status >= 500) m.serverErrors += 1;
    if (response.status !== 429) return false;
    m.rejected += 1;
    const seconds = retryAfterSeconds(response.retryAfter);
    if (seconds !== null) {
      m.rejectedWithRetryAfter += 1;
      m.maxRetryAfterSec = Math.max(m.maxRetryAfterSec ?? 0, seconds);
    }
    return true;
  };

  // Warm the isolate and the Durable Object on a bucket of its own: a cold start delays the first
  // requests by hundreds of ms, which a sliding-window log would then see bunched in the next window.
  for (let i = 0; i < WARMUP_REQUESTS; i += 1) await send(baseUrl, profile, bucketIp(runTag, WARMUP_LEVEL_INDEX, 0));
  const durationMs = rateLimitDurationMs(profile);
  const warmupMs = profile.warmupWindows * profile.windowMs;
  log(`rate-limit: ${profile.levels.map((l) => l.name).join(", ")} at once, ${profile.bucketsPerLevel} client IPs each, ${durationMs / 1000} s`);
  const runLevel = async (level: RateLimitLevel, levelIndex: number): Promise<Tally> => {
    const tally: Tally = {
      counts: { name: level.name, requests: 0, rejected: 0, steadyRequests: 0, steadyRejected: 0 },
      lastSentAt: new Array<number>(profile.bucketsPerLevel).fill(0),
    };
    const ratePerSec = (profile.bucketsPerLevel * profile.limit * level.percentOfLimit) / 100 / (profile.windowMs / 1000);
    await runArrivals({ ratePerSec, durationMs, maxInFlight: 200 }, async (index, offset) => {
      const bucket = index % profile.bucketsPerLevel;
      tally.lastSentAt[bucket] = performance.now();
      const rejected = record(await send(baseUrl, profile, bucketIp(runTag, levelIndex, bucket)));
      tally.counts.requests += 1;
      if (rejected) tally.counts.rejected += 1;
      if (offset >= warmupMs) {
        tally.counts.steadyRequests += 1;
        if (rejected) tally.counts.steadyRejected += 1;
      }
    });
    return tally;
  };
  const tallies = await Promise.all(profile.levels.map(runLevel));
  m.levels = tallies.map((t) => t.counts);

  const overloaded = profile.levels.flatMap((level, levelIndex) =>
    level.percentOfLimit > 100 ? (tallies[levelIndex] as Tally).lastSentAt.map((sentAt, bucket) => ({ ip: bucketIp(runTag, levelIndex, bucket), sentAt })) : [],
  );
  const recoveries = await Promise.all(overloaded.map(({ ip, sentAt }) => pollRecovery(baseUrl, profile, ip, sentAt, record)));
  m.recoveryMs = recoveries.length === 0 || recoveries.includes(null) ? null : Math.max(...(recoveries as number[]));
  return m;
}

/** Polls one bucket until a request is accepted; null if that takes longer than maxRecoveryMs + a window. */
async function pollRecovery(
  baseUrl: string,
  profile: RateLimitProfile,
  ip: string,
  lastOverloadAt: number,
  record: (response: Timed) => boolean,
): Promise<number | null> {
  const giveUpAt = lastOverloadAt + profile.maxRecoveryMs + profile.windowMs;
  while (performance.now() < giveUpAt) {
    const response = await send(baseUrl, profile, ip);
    if (!record(response) && response.status !== 0) return response.startedAt - lastOverloadAt;
    await new Promise((resolve) => setTimeout(resolve, profile.recoveryPollMs));
  }
  return null;
}
