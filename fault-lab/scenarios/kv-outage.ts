import type { Scenario } from "../src/scenario/types";
import { GEMINI_KEY } from "./_shared";

/**
 * The local KV write outage (src/stack/kv-outage.ts): Miniflare's blob store is made unwritable while the
 * Worker runs, so the session write inside connect fails for real in workerd.
 */
export default {
  name: "kv-outage",
  description: "KV writes fail → connect answers 503 SERVICE_UNAVAILABLE cause kv_unavailable, Retry-After 5, kvFailures counted; KV back → connect works.",
  seed: 26,
  freshWorker: true,
  faults: [],
  traffic: [
    { do: "kvOutage", on: true },
    { do: "connect", provider: "gemini", key: GEMINI_KEY, as: "frank", label: "during" },
    { do: "kvOutage", on: false },
    { do: "connect", provider: "gemini", key: GEMINI_KEY, as: "frank", label: "after" },
  ],
  expect: [
    { check: "status", label: "during", equals: 503 },
    { check: "errorCode", label: "during", equals: "SERVICE_UNAVAILABLE" },
    { check: "cause", label: "during", equals: "kv_unavailable" },
    { check: "retryAfter", label: "during", equals: 5, tolerance: 0 },
    { check: "setsCookie", label: "during", name: "pb_ai_session", present: false },
    { check: "status", label: "after", equals: 200 },
    { check: "metric", path: "reliability.kvFailures", equals: 1 },
    { check: "metric", path: "failureCauses.upstream.kv_unavailable", equals: 1 },
  ],
} satisfies Scenario;
