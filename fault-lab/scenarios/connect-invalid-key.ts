import type { Scenario } from "../src/scenario/types";

export default {
  name: "connect-invalid-key",
  description: "A key the provider rejects (Gemini 400 API_KEY_INVALID, OpenRouter 401) → 401 AUTH_REQUIRED, no cookie, nothing stored.",
  seed: 31,
  freshWorker: true,
  faults: [],
  traffic: [
    { do: "connect", provider: "gemini", key: "AIzaSy-invalid-lab-key-0000000000000000", as: "mike", label: "gemini" },
    { do: "connect", provider: "openrouter", key: "sk-or-v1-invalid-lab-key-00000000000000", as: "mike", label: "openrouter" },
  ],
  expect: [
    { check: "status", label: "gemini", equals: 401 },
    { check: "errorCode", label: "gemini", equals: "AUTH_REQUIRED" },
    { check: "setsCookie", label: "gemini", name: "pb_ai_session", present: false },
    { check: "status", label: "openrouter", equals: 401 },
    { check: "upstreamAttempts", route: "*", server: "gemini", equals: 1 },
    { check: "upstreamAttempts", route: "*", server: "openrouter", equals: 1 },
    { check: "noSecretInWorkerLogs" },
  ],
} satisfies Scenario;
