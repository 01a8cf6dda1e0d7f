import type { Scenario } from "../src/scenario/types";

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
/** Unsigned dev token: accepted only with ALLOW_INSECURE_DEV_AUTH=true on a local request. */
const DEV_TOKEN = `${base64url({ alg: "none", typ: "JWT" })}.${base64url({ sub: "lab-user-remote", exp: 4_102_444_800 })}.lab`;
const BEARER = { authorization: `Bearer ${DEV_TOKEN}` };
const REMOTE = "203.0.113.9";

export default {
  name: "attack-insecure-dev-auth-remote",
  description: "Finding 4: with ALLOW_INSECURE_DEV_AUTH=true, an unsigned bearer is a user only on a local request; one naming a non-loopback client IP (CF-Connecting-IP or X-Forwarded-For) is refused as with no Clerk config, and /__dev/ is 404 for it. The local developer keeps both.",
  seed: 160,
  workerVars: { ALLOW_INSECURE_DEV_AUTH: "true" },
  freshWorker: true,
  faults: [],
  traffic: [
    { do: "request", label: "remote-bearer", path: "/api/v1/auth/status", headers: { ...BEARER, "cf-connecting-ip": REMOTE } },
    { do: "request", label: "remote-bearer", path: "/api/v1/auth/status", headers: { ...BEARER, "x-forwarded-for": `${REMOTE}, 127.0.0.1` } },
    { do: "request", label: "remote-dev", path: "/__dev/", headers: { "cf-connecting-ip": REMOTE } },
    { do: "request", label: "local-bearer", path: "/api/v1/auth/status", headers: BEARER },
    { do: "request", label: "local-dev", path: "/__dev/" },
  ],
  expect: [
    // The original worker's answer to a bearer it cannot verify without a Clerk config.
    { check: "errorCode", label: "remote-bearer", equals: "AUTH_CONFIG_INVALID" },
    { check: "status", label: "remote-dev", equals: 404 },
    { check: "status", label: "local-bearer", equals: 200 },
    { check: "jsonPath", label: "local-bearer", path: "scope", equals: "account" },
    { check: "status", label: "local-dev", equals: 200 },
    { check: "metric", path: "reliability.authConfig.insecureDevAuthRejected", equals: 2 },
    { check: "metric", path: "reliability.authConfig.insecureDevAuthUsed", equals: 1 },
  ],
} satisfies Scenario;
