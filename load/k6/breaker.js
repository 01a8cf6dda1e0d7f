// @ts-check
/**
 * Breaker under load: the upstream fails 100 % (set through the fault lab's control API on
 * BACKEND_URL), clients keep their rate. Proves: upstream calls ≤ 1.2 × client requests and within
 * "opening + one probe per window"; circuit_open answers are fast and carry Retry-After.
 *   k6 run -e BASE_URL=http://127.0.0.1:8787 -e BACKEND_URL=http://127.0.0.1:PORT load/k6/breaker.js
 * The target must run with the profile's VPS_PROXY_* variables (npm run stack -- --var …).
 */
import http from "k6/http";
import { Counter, Rate, Trend } from "k6/metrics";
import { errorCause, preflight, requiredUrl, retryAfterSeconds, selectProfile } from "./lib/profile.js";

const PROFILE = selectProfile(open("../profiles.json"), __ENV.PROFILE);
const BR = PROFILE.breaker;
const BASE_URL = requiredUrl(__ENV.BASE_URL, "BASE_URL");
const BACKEND_URL = requiredUrl(__ENV.BACKEND_URL, "BACKEND_URL");
const PLANNED_REQUESTS = BR.ratePerSec * BR.durationSec;
const MAX_PROBES = Math.floor((BR.durationSec * 1000) / BR.openMs) + 1;
const MAX_UPSTREAM_CALLS = (BR.retries + 1) * (BR.failureThreshold + BR.openingSlackRequests) + MAX_PROBES;

const openLatency = new Trend("breaker_open_answer_ms", true);
const openAnswers = new Counter("breaker_open_answers");
const openWithRetryAfter = new Rate("breaker_open_with_retry_after");
const upstreamCalls = new Counter("breaker_upstream_calls");
const upstreamPerRequest = new Trend("breaker_upstream_per_client_request");

export const options = {
  scenarios: {
    clients: {
      executor: "constant-arrival-rate",
      rate: BR.ratePerSec,
      timeUnit: "1s",
      duration: `${BR.durationSec}s`,
      preAllocatedVUs: Math.max(5, Math.ceil(BR.ratePerSec / 4)),
      maxVUs: BR.ratePerSec * 2,
    },
  },
  thresholds: {
    breaker_open_answers: ["count>=1"],
    breaker_open_answer_ms: [`p(50)<=${BR.maxOpenAnswerP50Ms}`, `p(99)<=${BR.maxOpenAnswerP99Ms}`],
    breaker_open_with_retry_after: [`rate>=${BR.minRetryAfterCoverage}`],
    breaker_upstream_calls: [`count<=${MAX_UPSTREAM_CALLS}`],
    breaker_upstream_per_client_request: [`max<=${BR.maxUpstreamPerClientRequest}`],
    // The ratio above divides by the planned request count: exact only when none was dropped.
    dropped_iterations: ["count==0"],
  },
  setupTimeout: "20s",
  teardownTimeout: "20s",
};

/** @param {string} method @param {string} path @param {string | null} [body] */
function lab(method, path, body = null) {
  const response = http.request(method, `${BACKEND_URL}${path}`, body, {
    headers: { "content-type": "application/json" },
    tags: { name: "lab" },
    timeout: "3s",
  });
  if (response.status < 200 || response.status >= 300) throw new Error(`Failed to ${method} ${path} on the lab backend: ${response.status}.`);
  return response;
}

/** @returns {number} requests the backend has seen on the breaker path */
function upstreamCount() {
  const stats = JSON.parse(String(lab("GET", "/__lab/stats").body));
  return (stats.requests && stats.requests[BR.path]) || 0;
}

export function setup() {
  preflight(BASE_URL, "the Worker (BASE_URL)");
  preflight(BACKEND_URL, "the lab backend (BACKEND_URL)");
  const before = upstreamCount();
  lab("POST", "/__lab/faults", JSON.stringify({ route: BR.path, faults: [{ kind: "status", status: 503 }] }));
  return { before };
}

export default function () {
  const response = http.get(`${BASE_URL}${BR.path}`, { tags: { name: "v2" }, timeout: "10s", responseCallback: http.expectedStatuses(503) });
  if (response.status === 503 && errorCause(response) === "circuit_open") {
    openAnswers.add(1);
    openLatency.add(response.timings.duration);
    openWithRetryAfter.add(retryAfterSeconds(response.headers["Retry-After"]) !== null);
  }
}

/** @param {{ before: number }} data */
export function teardown(data) {
  lab("DELETE", "/__lab/faults");
  const calls = upstreamCount() - data.before;
  upstreamCalls.add(calls);
  upstreamPerRequest.add(calls / PLANNED_REQUESTS);
}
