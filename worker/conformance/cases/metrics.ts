import { LOCAL, PUBLIC } from "../fakes";
import { anyBoolean, anyNumber, counters, hasKeys, matching, nullOrNumber } from "../matchers";
import type { ConformanceCase } from "../types";
import { failure } from "./steps";

const SPEC = "§3.8 metrics";

/** Every key SPEC §3.8 names; more may exist, none may be missing. */
export const METRICS_SHAPE = hasKeys({
  metrics: counters([
    "requests",
    "authFailures",
    "providerFailures",
    "retries",
    "timeouts",
    "rateLimited",
    "circuitOpens",
    "vpsProxyFailures",
    "vpsProxyTimeouts",
    "vpsProxyRetries",
    "vpsProxyCircuitOpens",
    "vpsProxyCircuitRejects",
    "vpsProxyNoRetryPathHits",
    "vpsProxyRetryAfterHonored",
    "vpsProxy5xxPassthrough",
  ]),
  failureCauses: hasKeys({
    upstream: counters(["origin_unconfigured", "timeout", "network_error", "upstream_5xx", "circuit_open", "kv_unavailable"]),
    provider: counters(["provider_timeout", "provider_5xx", "provider_circuit_open", "provider_network_error"]),
  }),
  reliability: hasKeys({
    authConfig: counters(["missingClerkConfig", "partialClerkConfig", "invalidClerkConfig"]),
    runtimeConfig: matching("an object", (value) => value !== null && typeof value === "object"),
    secretRotation: counters(["fallbackDecrypts", "decryptFailures", "reencryptSuccesses", "reencryptFailures", "invalidRotationSecret", "invalidEncryptionSecret"]),
    kvFailures: anyNumber,
  }),
  vpsProxyCircuit: hasKeys({
    state: matching("closed, open or half-open", (value) => value === "closed" || value === "open" || value === "half-open"),
    open: anyBoolean,
    openUntil: nullOrNumber,
    remainingMs: anyNumber,
  }),
});

/** Prometheus text exposition: HELP/TYPE comments and `name{labels} number` samples. */
const PROMETHEUS = [/^# HELP [a-z_:][a-z0-9_:]* /m, /^# TYPE [a-z_:][a-z0-9_:]* (counter|gauge)$/m, /^[a-z_:][a-z0-9_:]*(\{[^}]*\})? -?\d+(\.\d+)?$/m];
const PROMETHEUS_TYPE = /^text\/plain/;

export const METRICS: ConformanceCase[] = [
  {
    name: "metrics JSON on a loopback host has every SPEC key",
    spec: SPEC,
    request: { url: `${LOCAL}/api/v1/metrics` },
    expect: { status: 200, json: METRICS_SHAPE },
  },
  {
    name: "metrics on a public host without a loopback client IP are hidden: 404",
    spec: SPEC,
    request: { url: `${PUBLIC}/api/v1/metrics` },
    expect: failure(404, { code: "NOT_FOUND" }),
  },
  {
    name: "metrics on a public host from a non-loopback client IP are hidden: 404",
    spec: SPEC,
    request: { url: `${PUBLIC}/api/v1/metrics`, headers: { "cf-connecting-ip": "203.0.113.9" } },
    expect: failure(404, { code: "NOT_FOUND" }),
  },
  {
    name: "metrics on a public host with a client-supplied loopback CF-Connecting-IP are hidden: 404",
    spec: SPEC,
    request: { url: `${PUBLIC}/api/v1/metrics`, headers: { "cf-connecting-ip": "127.0.0.1" } },
    expect: failure(404, { code: "NOT_FOUND" }),
  },
  {
    name: "?format=prometheus gives Prometheus text",
    spec: SPEC,
    request: { url: `${LOCAL}/api/v1/metrics?format=prometheus` },
    expect: { status: 200, kind: "text", contentType: PROMETHEUS_TYPE, text: PROMETHEUS, headers: { "cache-control": "no-store" } },
  },
  {
    name: "Accept: text/plain gives Prometheus text",
    spec: SPEC,
    request: { url: `${LOCAL}/api/v1/metrics`, headers: { accept: "text/plain" } },
    expect: { status: 200, kind: "text", contentType: PROMETHEUS_TYPE, text: PROMETHEUS },
  },
];
