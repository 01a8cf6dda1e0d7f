import { firstOnly } from "./types";
import { backendAttempts } from "./trace-queries";

/** The retry budget the issue asks for: retries ≤ 20 % of requests, with a floor of 3 per 10 s. */
export const RETRY_BUDGET_RULE = { ratio: 0.2, floorPerWindow: 3, windowMs: 10_000 };

/** Backend attempts per request ≤ 1 + VPS_PROXY_RETRIES, and retries within the budget (≤ 1.2× under a dead backend). */
export const retryAmplificationBounded = firstOnly("retry-amplification", "backend attempts per request ≤ 1 + VPS_PROXY_RETRIES; retries within the 20 % budget", (trace) => {
  for (const epoch of trace.epochs) {
    const attempts = backendAttempts(trace).filter((attempt) => attempt.epoch === epoch.index);
    if (attempts.length === 0) continue;
    const perRequest = new Map<string, number>();
    for (const attempt of attempts) perRequest.set(attempt.requestId ?? "?", (perRequest.get(attempt.requestId ?? "?") ?? 0) + 1);
    for (const [requestId, count] of perRequest) {
      if (count > 1 + epoch.config.vpsRetries) return `request ${requestId} made ${count} backend attempts; VPS_PROXY_RETRIES=${epoch.config.vpsRetries} allows ${1 + epoch.config.vpsRetries}`;
    }
    const requests = perRequest.size;
    const retries = attempts.length - requests;
    const span = attempts[attempts.length - 1]!.t - attempts[0]!.t;
    const windows = Math.ceil(span / RETRY_BUDGET_RULE.windowMs) + 1;
    const allowed = Math.floor(RETRY_BUDGET_RULE.ratio * requests) + RETRY_BUDGET_RULE.floorPerWindow * windows;
    if (retries > allowed) {
      return `${requests} requests made ${attempts.length} backend attempts (${retries} retries); the retry budget allows ${allowed} (20 % + ${RETRY_BUDGET_RULE.floorPerWindow} per ${RETRY_BUDGET_RULE.windowMs / 1000} s)`;
    }
  }
  return null;
});
