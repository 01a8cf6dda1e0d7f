import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { bucketIntervalMs, maxProbes, maxUpstreamCalls, parseProfiles, PROFILES_PATH, rateLimitDurationMs, type Profile } from "./profiles";

const shipped = () => JSON.parse(readFileSync(PROFILES_PATH, "utf8")) as { defaultProfile: string; profiles: Record<string, Record<string, unknown>> };

function parsedShipped(): Record<string, Profile> {
  const result = parseProfiles(shipped());
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.value.profiles;
}

describe("load/profiles.json", () => {
  it("parses, with smoke as the default and a full profile", () => {
    const result = parseProfiles(shipped());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.defaultProfile).toBe("smoke");
    expect(Object.keys(result.value.profiles)).toEqual(expect.arrayContaining(["smoke", "full"]));
  });

  it("keeps the smoke profile's traffic under a minute", () => {
    const { rateLimit, overhead, breaker } = parsedShipped().smoke as Profile;
    const worstCaseMs = rateLimitDurationMs(rateLimit) + rateLimit.maxRecoveryMs + (overhead.durationSec + breaker.durationSec) * 1000;
    expect(worstCaseMs).toBeLessThan(50_000);
  });

  it("encodes the issue's rate-limit thresholds: 0 % at 80, ≤ 1 % at 100, 33 ± 3 % at 150", () => {
    for (const profile of Object.values(parsedShipped())) {
      const byPercent = new Map(profile.rateLimit.levels.map((level) => [level.percentOfLimit, level]));
      expect(byPercent.get(80)).toMatchObject({ max429Rate: 0 });
      expect(byPercent.get(100)).toMatchObject({ max429Rate: 0.01 });
      expect(byPercent.get(150)?.min429Rate).toBeCloseTo(1 / 3 - 0.03, 3);
      expect(byPercent.get(150)?.max429Rate).toBeCloseTo(1 / 3 + 0.03, 3);
      expect(profile.rateLimit.minRetryAfterCoverage).toBe(1);
      expect(profile.breaker.maxUpstreamPerClientRequest).toBe(1.2);
    }
  });
});

describe("parseProfiles", () => {
  it("names every bad field instead of stopping at the first", () => {
    const raw = shipped();
    const smoke = raw.profiles.smoke as { rateLimit: Record<string, unknown>; breaker: Record<string, unknown> };
    smoke.rateLimit.windowMs = "5s";
    smoke.breaker.retries = -1;
    const result = parseProfiles(raw);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual(
      expect.arrayContaining([expect.stringContaining("profiles.smoke.rateLimit.windowMs"), expect.stringContaining("profiles.smoke.breaker.retries")]),
    );
  });

  it("rejects numbers that disagree with the Worker variables the profile starts the stack with", () => {
    const raw = shipped();
    (raw.profiles.smoke as { rateLimit: { limit: number } }).rateLimit.limit = 21;
    const result = parseProfiles(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join("\n")).toContain('workerVars.RATE_LIMIT_MAX is "20"');
  });

  it("rejects an unknown default profile and a level with min above max", () => {
    const raw = shipped();
    raw.defaultProfile = "nightly";
    (raw.profiles.smoke as { rateLimit: { levels: Record<string, unknown>[] } }).rateLimit.levels[0] = { name: "x", percentOfLimit: 80, scope: "all", min429Rate: 0.5, max429Rate: 0.1 };
    const result = parseProfiles(raw);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.join("\n")).toMatch(/defaultProfile "nightly"/);
    expect(result.errors.join("\n")).toMatch(/min429Rate must not exceed max429Rate/);
  });

  it("rejects a document that is not an object", () => {
    expect(parseProfiles([])).toEqual({ ok: false, errors: ["profiles.json must hold a JSON object"] });
  });
});

describe("derived numbers", () => {
  const smoke = () => parsedShipped().smoke as Profile;

  it("spaces one bucket's requests so it sends percentOfLimit of the limit per window", () => {
    const rl = smoke().rateLimit;
    const at = (percent: number) => bucketIntervalMs(rl, { name: "x", percentOfLimit: percent, scope: "all", min429Rate: 0, max429Rate: 1 });
    expect(at(100)).toBe(rl.windowMs / rl.limit);
    expect(rl.windowMs / at(150)).toBeCloseTo(rl.limit * 1.5);
  });

  it("allows the opening requests with their retries plus one unretried probe per window", () => {
    const breaker = { ...smoke().breaker, durationSec: 10, openMs: 2000, retries: 1, failureThreshold: 3, openingSlackRequests: 2 };
    expect(maxProbes(breaker)).toBe(6);
    expect(maxUpstreamCalls(breaker)).toBe(2 * (3 + 2) + 6);
  });
});
