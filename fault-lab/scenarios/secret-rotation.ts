import type { Scenario } from "../src/scenario/types";
import { ANALYZE, GEMINI_KEY } from "./_shared";

export default {
  name: "secret-rotation",
  description: "Session sealed under secret A; restart with B + PREV=A → still works and is re-sealed under B; restart without PREV → still works.",
  seed: 27,
  faults: [],
  traffic: [
    { do: "connect", provider: "gemini", key: GEMINI_KEY, as: "gina" },
    { do: "rotateSecret" },
    { do: "request", label: "overlap", path: "/api/v1/ai/analyze", body: ANALYZE, as: "gina" },
    { do: "request", label: "status-overlap", path: "/api/v1/auth/status", as: "gina" },
    { do: "request", label: "metrics-overlap", path: "/api/v1/metrics" },
    { do: "restartWorker", vars: { KEY_ENCRYPTION_SECRET_PREV: "" } },
    { do: "request", label: "prev-removed", path: "/api/v1/ai/analyze", body: ANALYZE, as: "gina" },
  ],
  expect: [
    { check: "status", label: "connect-gina", equals: 200 },
    { check: "setsCookie", label: "connect-gina", name: "pb_ai_session", present: true },
    { check: "status", label: "overlap", equals: 200 },
    { check: "jsonPath", label: "status-overlap", path: "connected", equals: true },
    { check: "jsonPath", label: "metrics-overlap", path: "reliability.secretRotation.fallbackDecrypts", equals: 1 },
    { check: "jsonPath", label: "metrics-overlap", path: "reliability.secretRotation.reencryptSuccesses", equals: 1 },
    { check: "status", label: "prev-removed", equals: 200 },
    { check: "jsonPath", label: "prev-removed", path: "result.title", type: "string" },
    { check: "noPlaintextKeyInKv" },
    { check: "noSecretInWorkerLogs" },
  ],
} satisfies Scenario;
