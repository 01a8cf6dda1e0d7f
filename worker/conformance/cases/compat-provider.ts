import { BACKEND_ORIGIN, LOCAL, PUBLIC } from "../fakes";
import { anyBoolean, anyNumber, counters, hasKeys, epochMsAbout } from "../matchers";
import type { ConformanceCase } from "../types";
import { connectStep, failure, freshClientIp, keyFor } from "./steps";

const AREA = "drop-in compatibility with the original worker (providers, /api/v2, metrics)";
const WITH_BACKEND = { VPS_API_ORIGIN: BACKEND_ORIGIN, VPS_PROXY_RETRIES: "0" };

/** Every leaf of the original worker's metrics JSON, under its names and nesting (ours only adds). */
const ORIGINAL_METRICS_SHAPE = hasKeys({
  metrics: counters(["requests", "authFailures", "providerFailures", "retries", "timeouts", "rateLimited", "circuitOpens", "vpsProxyFailures", "vpsProxyTimeouts",
    "vpsProxyRetries", "vpsProxyCircuitOpens", "vpsProxyCircuitRejects", "vpsProxyNoRetryPathHits", "vpsProxyRetryAfterHonored", "vpsProxy5xxPassthrough"]),
  failureCauses: hasKeys({
    upstream: counters(["origin_unconfigured", "timeout", "network_error", "upstream_5xx", "circuit_open", "kv_unavailable"]),
    provider: counters(["provider_timeout", "provider_5xx", "provider_circuit_open", "provider_network_error"]),
  }),
  reliability: hasKeys({
    authConfig: counters(["missingClerkConfig", "partialClerkConfig", "invalidClerkConfig"]),
    runtimeConfig: counters(["invalidEncryptionSecret", "invalidRotationSecret"]),
    secretRotation: counters(["fallbackDecrypts", "decryptFailures", "reencryptSuccesses", "reencryptFailures"]),
    kvFailures: anyNumber,
  }),
  vpsProxyCircuit: hasKeys({ open: anyBoolean, openUntil: anyNumber, remainingMs: anyNumber }),
});

const IDEA_TASK_NOTE = JSON.stringify(["IDEA", "TASK", "NOTE"].map((type, index) => ({ content: `Item ${index + 1}`, title: `Title ${index + 1}`, tags: [], type })));

export const COMPAT_PROVIDER: ConformanceCase[] = [
  {
    name: "metrics JSON carries the original's full key tree (runtimeConfig secret counters, numeric openUntil)",
    spec: AREA,
    request: { url: `${LOCAL}/api/v1/metrics` },
    expect: { status: 200, json: ORIGINAL_METRICS_SHAPE },
  },
  {
    name: "an unset VPS_API_ORIGIN answers the original's message",
    spec: AREA,
    env: { VPS_API_ORIGIN: "" },
    request: { url: `${PUBLIC}/api/v2/sync/pull` },
    expect: failure(503, { code: "SERVICE_UNAVAILABLE", cause: "origin_unconfigured", retryable: false, message: "VPS API origin is not configured" }),
  },
  {
    name: "a VPS_API_ORIGIN equal to the Worker's origin answers the original's message",
    spec: AREA,
    env: WITH_BACKEND,
    backend: { kind: "status", status: 200, body: "{}" },
    request: { url: `${BACKEND_ORIGIN}/api/v2/sync/pull` },
    expect: {
      ...failure(500, { code: "CONFIG_ERROR", cause: "origin_unconfigured", message: "VPS API origin cannot match the worker origin for proxy routes." }),
      backend: { calls: 0 },
    },
  },
  {
    name: "a /api/v2 body over the limit answers the original's 413 message",
    spec: AREA,
    env: { ...WITH_BACKEND, VPS_PROXY_MAX_BODY_BYTES: "32768" },
    backend: { kind: "status", status: 200, body: "{}" },
    request: { url: `${PUBLIC}/api/v2/sync/push`, rawBody: "x".repeat(40_000) },
    expect: { ...failure(413, { code: "PAYLOAD_TOO_LARGE", message: "Proxy request body exceeds limit (32768 bytes)." }), backend: { calls: 0 } },
  },
  {
    name: "batch 'Create 2 ideas …' truncates to 2 items and forces IDEA, as the original",
    spec: AREA,
    setup: [connectStep("gemini")],
    provider: { text: IDEA_TASK_NOTE },
    request: { url: `${LOCAL}/api/v1/ai/batch`, json: { content: "Create 2 ideas about habit tracking" }, session: true },
    expect: {
      status: 200,
      json: { results: [{ content: "Item 1", title: "Title 1", tags: [], type: "IDEA" }, { content: "Item 2", title: "Title 2", tags: [], type: "IDEA" }] },
      providerCalls: 1,
    },
  },
  {
    name: "batch 'Create 2 ideas and 2 tasks …' adds the counts and forces no type",
    spec: AREA,
    setup: [connectStep("openrouter")],
    provider: { text: JSON.stringify(["IDEA", "IDEA", "TASK", "TASK", "NOTE"].map((type) => ({ content: type, title: type, tags: [], type }))) },
    request: { url: `${LOCAL}/api/v1/ai/batch`, json: { content: "Create 2 ideas and 2 tasks about habit tracking" }, session: true },
    expect: {
      status: 200,
      json: { results: ["IDEA", "IDEA", "TASK", "TASK"].map((type) => ({ content: type, title: type, tags: [], type })) },
    },
  },
  {
    name: "connect accepts a validation reply that contains OK ('Okay.'), as the original",
    spec: AREA,
    provider: { text: "Okay." },
    request: { url: `${LOCAL}/api/v1/auth/connect`, json: { provider: "gemini", apiKey: keyFor("gemini") }, headers: { "cf-connecting-ip": freshClientIp() } },
    expect: { status: 200, json: { connected: true, provider: "gemini", scope: "device", expiresAt: epochMsAbout(86_400_000) }, providerCalls: 1 },
  },
];
