import type { Scenario } from "../src/scenario/types";
import { GEMINI_KEY } from "./_shared";

export default {
  name: "attack-backend-session-cookie",
  description: "Finding 8: a backend Set-Cookie on /api/v2 passes only for the backend's own cookie names (pb_stream_ticket); a pb_ai_session (or any other) cookie from the backend never reaches the browser, and the user's session is untouched.",
  seed: 158,
  faults: [],
  traffic: [
    { do: "connect", provider: "gemini", key: GEMINI_KEY, as: "bea" },
    { do: "request", label: "planted", method: "POST", path: "/api/v2/lab/hostile-cookies", body: {}, as: "bea" },
    { do: "request", label: "honest", path: "/api/v1/auth/status", as: "bea" },
  ],
  expect: [
    { check: "status", label: "planted", equals: 200 },
    { check: "setsCookie", label: "planted", name: "pb_ai_session", present: false },
    { check: "setsCookie", label: "planted", name: "backend_tracking", present: false },
    { check: "setsCookie", label: "planted", name: "pb_stream_ticket", present: true },
    { check: "jsonPath", label: "honest", path: "connected", equals: true },
  ],
} satisfies Scenario;
