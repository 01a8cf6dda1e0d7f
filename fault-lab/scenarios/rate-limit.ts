import type { Scenario } from "../src/scenario/types";
import { GEMINI_KEY } from "./_shared";

const SEARCH = { query: "what did I plan for the kitchen?", notes: [] };

export default {
  name: "rate-limit",
  description: "With RATE_LIMIT_MAX=3 per 60 s the 4th AI call of a session is 429 RATE_LIMITED with a Retry-After inside the window; another session is unaffected.",
  seed: 28,
  faults: [],
  // Both connects happen first under the default limit: connect is limited per anon+IP, and that
  // bucket is shared with every other scenario's connects (the DO persists it).
  traffic: [
    { do: "connect", provider: "gemini", key: GEMINI_KEY, as: "hank" },
    { do: "connect", provider: "gemini", key: GEMINI_KEY, as: "ivy" },
    { do: "restartWorker", vars: { RATE_LIMIT_MAX: "3", RATE_LIMIT_WINDOW_MS: "60000" } },
    { do: "request", label: "allowed", path: "/api/v1/ai/search", body: SEARCH, as: "hank" },
    { do: "request", label: "allowed", path: "/api/v1/ai/search", body: SEARCH, as: "hank" },
    { do: "request", label: "allowed", path: "/api/v1/ai/search", body: SEARCH, as: "hank" },
    { do: "request", label: "limited", path: "/api/v1/ai/search", body: SEARCH, as: "hank" },
    { do: "request", label: "other-session", path: "/api/v1/ai/search", body: SEARCH, as: "ivy" },
  ],
  expect: [
    { check: "status", label: "allowed", equals: 200 },
    { check: "status", label: "limited", equals: 429 },
    { check: "errorCode", label: "limited", equals: "RATE_LIMITED" },
    { check: "retryAfter", label: "limited", equals: 30, tolerance: 30 },
    { check: "status", label: "other-session", equals: 200 },
    { check: "metric", path: "metrics.rateLimited", atLeast: 1 },
  ],
} satisfies Scenario;
