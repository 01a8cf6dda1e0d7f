/**
 * Pure threshold evaluation: measured numbers in, one Check per rule out. The k6 scripts encode the
 * same rules as k6 thresholds built from the same profiles.json.
 */
import { formatTable } from "./table";
import { maxUpstreamCalls, type BreakerProfile, type OverheadProfile, type RateLimitProfile } from "./profiles";

export interface Check {
  scenario: "rate-limit" | "overhead" | "breaker";
  name: string;
  /** null when nothing could be measured (counts as a breach unless `vacuous`). */
  measured: number | null;
  unit: "" | "ms" | "s" | "%" | "×";
  bound: string;
  pass: boolean;
}

type Bound = { min?: number; max?: number };

function check(scenario: Check["scenario"], name: string, measured: number | null, unit: Check["unit"], { min, max }: Bound): Check {
  const scale = unit === "%" ? 100 : 1;
  const show = (value: number) => `${+(value * scale).toFixed(2)}${unit === "%" ? " %" : unit ? ` ${unit}` : ""}`;
  const bound =
    min !== undefined && max !== undefined
      ? min === max
        ? `= ${show(min)}`
        : `${show(min)} .. ${show(max)}`
      : min !== undefined
        ? `≥ ${show(min)}`
        : `≤ ${show(max as number)}`;
  const pass = measured !== null && !Number.isNaN(measured) && (min === undefined || measured >= min) && (max === undefined || measured <= max);
  return { scenario, name, measured, unit, bound, pass };
}

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

export interface LevelCounts {
  name: string;
  requests: number;
  rejected: number;
  /** Requests sent after the warm-up windows, and how many of them got 429. */
  steadyRequests: number;
  steadyRejected: number;
}

export interface RateLimitMeasurement {
  levels: LevelCounts[];
  rejected: number;
  rejectedWithRetryAfter: number;
  maxRetryAfterSec: number | null;
  requests: number;
  /** Status 0 (network error) or ≥ 500. */
  serverErrors: number;
  /** From the end of the overload to the first accepted request, worst bucket; null = not within the bound. */
  recoveryMs: number | null;
}

export function evaluateRateLimit(profile: RateLimitProfile, m: RateLimitMeasurement): Check[] {
  const checks = profile.levels.map((level) => {
    const counts = m.levels.find((entry) => entry.name === level.name);
    const rate = counts
      ? level.scope === "steady"
        ? ratio(counts.steadyRejected, counts.steadyRequests)
        : ratio(counts.rejected, counts.requests)
      : null;
    return check("rate-limit", `${level.name} of limit: 429 share (${level.scope})`, rate, "%", { min: level.min429Rate || undefined, max: level.max429Rate });
  });
  // With no 429 at all there is nothing to cover: the level checks already fail such a run.
  const coverage = m.rejected === 0 ? 1 : ratio(m.rejectedWithRetryAfter, m.rejected);
  checks.push(check("rate-limit", "429s carrying Retry-After", coverage, "%", { min: profile.minRetryAfterCoverage }));
  checks.push(check("rate-limit", "largest Retry-After", m.maxRetryAfterSec ?? (m.rejected === 0 ? 0 : null), "s", { max: profile.maxRetryAfterSec }));
  checks.push(check("rate-limit", "recovery after the overload", m.recoveryMs, "ms", { max: profile.maxRecoveryMs }));
  checks.push(check("rate-limit", "network errors and 5xx", ratio(m.serverErrors, m.requests), "%", { max: profile.maxServerErrorRate }));
  return checks;
}

export interface OverheadMeasurement {
  pairs: number;
  errors: number;
  /** Percentiles of (through the Worker − direct) over paired requests. */
  addedP50Ms: number | null;
  addedP99Ms: number | null;
}

export function evaluateOverhead(profile: OverheadProfile, m: OverheadMeasurement): Check[] {
  return [
    check("overhead", "added latency p50 (paired)", m.addedP50Ms, "ms", { max: profile.maxAddedP50Ms }),
    check("overhead", "added latency p99 (paired)", m.addedP99Ms, "ms", { max: profile.maxAddedP99Ms }),
    check("overhead", "failed requests", ratio(m.errors, m.pairs * 2), "%", { max: profile.maxErrorRate }),
  ];
}

export interface BreakerMeasurement {
  clientRequests: number;
  upstreamCalls: number;
  /** 503 circuit_open answers, how many carried Retry-After, and their latency. */
  openAnswers: number;
  openAnswersWithRetryAfter: number;
  openAnswerP50Ms: number | null;
  openAnswerP99Ms: number | null;
  /** Node runner only: consecutive requests let through while open that were < 0.9 window apart. */
  probesTooClose?: number;
}

export function evaluateBreaker(profile: BreakerProfile, m: BreakerMeasurement): Check[] {
  const checks = [
    check("breaker", "upstream calls per client request", ratio(m.upstreamCalls, m.clientRequests), "×", { max: profile.maxUpstreamPerClientRequest }),
    check("breaker", "upstream calls (opening + 1 probe/window)", m.upstreamCalls, "", { max: maxUpstreamCalls(profile) }),
    check("breaker", "circuit_open answers", m.openAnswers, "", { min: 1 }),
    check("breaker", "circuit_open answer p50", m.openAnswerP50Ms, "ms", { max: profile.maxOpenAnswerP50Ms }),
    check("breaker", "circuit_open answer p99", m.openAnswerP99Ms, "ms", { max: profile.maxOpenAnswerP99Ms }),
    check("breaker", "circuit_open answers with Retry-After", ratio(m.openAnswersWithRetryAfter, m.openAnswers), "%", { min: profile.minRetryAfterCoverage }),
  ];
  if (m.probesTooClose !== undefined) checks.push(check("breaker", "probes closer than 0.9 window", m.probesTooClose, "", { max: 0 }));
  return checks;
}

export function checksTable(checks: readonly Check[]): string {
  const rows = checks.map((c) => {
    const value = c.measured === null ? "n/a" : c.unit === "%" ? `${+(c.measured * 100).toFixed(2)} %` : `${+c.measured.toFixed(3)}${c.unit ? ` ${c.unit}` : ""}`;
    return [c.scenario, c.name, value, c.bound, c.pass ? "ok" : "BREACH"];
  });
  return formatTable(["scenario", "check", "measured", "threshold", "result"], rows, 2);
}
