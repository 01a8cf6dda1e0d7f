// @ts-check
/**
 * Proxy overhead: pairs of the same GET, direct to the backend and through the Worker, back to back
 * (order alternating); the threshold is on the per-pair difference.
 *   k6 run -e BASE_URL=http://127.0.0.1:8787 -e BACKEND_URL=http://127.0.0.1:PORT load/k6/overhead.js
 * On a deployment, BACKEND_URL is the VPS origin the Worker proxies to.
 */
import http from "k6/http";
import exec from "k6/execution";
import { Rate, Trend } from "k6/metrics";
import { preflight, requiredUrl, selectProfile } from "./lib/profile.js";

const PROFILE = selectProfile(open("../profiles.json"), __ENV.PROFILE);
const OH = PROFILE.overhead;
const BASE_URL = requiredUrl(__ENV.BASE_URL, "BASE_URL");
const BACKEND_URL = requiredUrl(__ENV.BACKEND_URL, "BACKEND_URL");

const added = new Trend("overhead_added_ms", true);
const failed = new Rate("overhead_failed");

export const options = {
  scenarios: {
    pairs: {
      executor: "constant-arrival-rate",
      rate: OH.pairsPerSec,
      timeUnit: "1s",
      duration: `${OH.durationSec}s`,
      preAllocatedVUs: Math.max(2, Math.ceil(OH.pairsPerSec / 10)),
      maxVUs: Math.max(10, OH.pairsPerSec),
    },
  },
  thresholds: {
    overhead_added_ms: [`p(50)<=${OH.maxAddedP50Ms}`, `p(99)<=${OH.maxAddedP99Ms}`],
    overhead_failed: [`rate<=${OH.maxErrorRate}`],
  },
  setupTimeout: "30s",
};

/** @param {string} url @param {string} name */
const get = (url, name) => http.get(url, { tags: { name }, timeout: "10s" });

export function setup() {
  preflight(BASE_URL, "the Worker (BASE_URL)");
  preflight(BACKEND_URL, "the backend (BACKEND_URL)");
  // Warm-up, not measured: JIT, connection pools, the Worker's first requests.
  for (let i = 0; i < 20; i += 1) {
    get(BACKEND_URL + OH.path, "warmup");
    get(BASE_URL + OH.path, "warmup");
  }
}

export default function () {
  const directFirst = exec.scenario.iterationInTest % 2 === 0;
  const first = directFirst ? get(BACKEND_URL + OH.path, "direct") : get(BASE_URL + OH.path, "worker");
  const second = directFirst ? get(BASE_URL + OH.path, "worker") : get(BACKEND_URL + OH.path, "direct");
  const [direct, worker] = directFirst ? [first, second] : [second, first];
  const ok = (/** @type {number} */ status) => status >= 200 && status < 400;
  failed.add(!ok(direct.status));
  failed.add(!ok(worker.status));
  if (ok(direct.status) && ok(worker.status)) added.add(worker.timings.duration - direct.timings.duration);
}
