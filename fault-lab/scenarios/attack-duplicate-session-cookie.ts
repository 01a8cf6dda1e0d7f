import type { Scenario } from "../src/scenario/types";
import { ANALYZE, GEMINI_KEY, GEMINI_KEY_2, GEMINI_ROUTE } from "./_shared";

export default {
  name: "attack-duplicate-session-cookie",
  description: "Finding 7 (cookie tossing): a request carrying two pb_ai_session cookies (the attacker's planted first) has no session: status says not connected and an AI call is 401, so the attacker's key is never used. The victim's own cookie alone still works.",
  seed: 157,
  faults: [],
  traffic: [
    { do: "connect", provider: "gemini", key: GEMINI_KEY_2, as: "mallory" },
    { do: "connect", provider: "gemini", key: GEMINI_KEY, as: "victor" },
    { do: "request", label: "tossed-status", path: "/api/v1/auth/status", as: "victor", tossFrom: "mallory", keepCookies: true },
    { do: "request", label: "tossed-ai", path: "/api/v1/ai/analyze", body: ANALYZE, as: "victor", tossFrom: "mallory", keepCookies: true },
    { do: "request", label: "honest", path: "/api/v1/ai/analyze", body: ANALYZE, as: "victor" },
  ],
  expect: [
    { check: "jsonPath", label: "tossed-status", path: "connected", equals: false },
    { check: "status", label: "tossed-ai", equals: 401 },
    { check: "errorCode", label: "tossed-ai", equals: "AUTH_REQUIRED" },
    { check: "status", label: "honest", equals: 200 },
    // Two validations and the honest call: the tossed request called no provider.
    { check: "upstreamAttempts", route: GEMINI_ROUTE, equals: 3 },
  ],
} satisfies Scenario;
