import type { Scenario } from "../src/scenario/types";
import { GEMINI_KEY, GEMINI_KEY_2 } from "./_shared";

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
/** Unsigned dev token: accepted only with ALLOW_INSECURE_DEV_AUTH=true on a local request. */
const DEV_TOKEN = `${base64url({ alg: "none", typ: "JWT" })}.${base64url({ sub: "lab-user-dana", exp: 4_102_444_800 })}.lab`;
const BEARER = { authorization: `Bearer ${DEV_TOKEN}` };

export default {
  name: "attack-disconnect-bearer",
  description: "Finding 8: disconnect with a valid bearer clears the user's key and the device session too: the old device cookie, kept by the client, is no longer connected. Another device's session is untouched.",
  seed: 159,
  workerVars: { ALLOW_INSECURE_DEV_AUTH: "true" },
  faults: [],
  traffic: [
    { do: "connect", provider: "gemini", key: GEMINI_KEY, as: "dana" },
    { do: "request", label: "user-connect", method: "POST", path: "/api/v1/auth/connect", body: { provider: "gemini", apiKey: GEMINI_KEY }, headers: BEARER, as: "dana", keepCookies: true },
    { do: "connect", provider: "gemini", key: GEMINI_KEY_2, as: "eve" },
    { do: "request", label: "disconnect", method: "POST", path: "/api/v1/auth/disconnect", body: {}, headers: BEARER, as: "dana", keepCookies: true },
    { do: "request", label: "old-device-cookie", path: "/api/v1/auth/status", as: "dana" },
    { do: "request", label: "user-after", path: "/api/v1/auth/status", headers: BEARER },
    { do: "request", label: "honest", path: "/api/v1/auth/status", as: "eve" },
  ],
  expect: [
    { check: "status", label: "user-connect", equals: 200 },
    { check: "status", label: "disconnect", equals: 200 },
    { check: "jsonPath", label: "old-device-cookie", path: "connected", equals: false },
    { check: "jsonPath", label: "user-after", path: "connected", equals: false },
    { check: "jsonPath", label: "honest", path: "connected", equals: true },
  ],
} satisfies Scenario;
