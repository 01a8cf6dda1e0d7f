/**
 * Drop-in compatibility with the original PocketBrain worker (its providers, /api/v2, circuits, rate limits and metrics; docs/migration.md lists every difference) for the
 * provider, /api/v2, breaker, limiter and metrics parts. Each fixed difference has a test here or in
 * the suite named beside it. Differences that stay, and why:
 *
 * §5 providers
 * - Gemini key in `x-goog-api-key`, base URLs configurable; provider 429 carries Retry-After; a provider
 *   Retry-After is the backoff floor; full-jitter backoff (base 250, cap 4 s): the contract (docs/api.md) decides.
 * - A Retry-After hint over 10 s is not waited for: the error returns at once with that Retry-After
 *   (waiting would hold the client's 12 s request open for nothing).
 * - Prompts add a system instruction and Gemini `responseMimeType: application/json`: app-specific
 *   parts, free to differ; the fake providers key on the same wording.
 * - Messages never include the provider's error body ("Gemini request failed: <200 chars>"): real
 *   providers echo the key in it. Code, status, cause and Retry-After are the contract.
 * - A key refused by the provider (401, 403, Gemini 400 API_KEY_INVALID) answers 401 AUTH_REQUIRED so
 *   the app asks for a new key; the original passed 403/400 through as PROVIDER_UNAVAILABLE. Another
 *   provider 4xx answers 502 PROVIDER_UNAVAILABLE, not retryable (the original: the provider status).
 * - A 2xx JSON without answer text is 502 retryable (as the original) but not retried here; the circuit
 *   counts it as healthy (the provider answered) — the original counted it as a failure.
 * - Content over 6000 characters (query over 400) is a 400 naming the field, not silently cut: every
 *   bad input gets a coded 4xx (engineering rule); the client never sends more.
 * - Tags and titles are normalised (trimmed, '#' dropped, de-duplicated, ≤ 100 chars); the type is
 *   matched case-insensitively ("task" → TASK). The original copied them raw.
 * - Transcription goes through the shared provider breaker like every other call.
 * §6 /api/v2
 * - Defaults 7000 ms / 1 retry / 512 KiB / 3 / 20 s for unset variables (documented defaults), not the minimum.
 * - Only GET/HEAD/OPTIONS, paths in VPS_PROXY_IDEMPOTENT_PATHS, or requests with an Idempotency-Key are
 *   retried: a retried POST could apply a write twice. The original retried every method.
 * - A per-isolate retry budget (20 % of requests) and a total deadline of two attempt timeouts cap the
 *   load on a dying backend; a client's `x-timeout-ms` (floor 1000 ms) bounds its own request.
 * - x-request-id goes upstream and on every response; pb_ai_session is never forwarded (contract).
 * - Encoded '/', '\' or '.' in the path → 400; backend Set-Cookie only for pb_stream_ticket (issue 15).
 * - idempotency-key is forwarded (the backend dedupes on it).
 * §7 breakers
 * - Half-open with one probe, for both circuits (contract). A request refused by an open provider circuit
 *   is answered at once, not retried three times with backoff.
 * - The provider circuit counts only provider faults (5xx, timeout, network); one key's 401/403/429 is
 *   neutral (issue 15, docs/decisions/0003). The original counted 429 and "no text" 502s.
 * - A client whose own x-timeout-ms ran out is never reported to the /api/v2 circuit (issue 15).
 * §8 rate limiting
 * - Sliding window with Retry-After (contract); buckets are one Durable Object each, named `rl:<id>|<ip>`
 *   (the original: `rate:<id>:<ip>`), and expire by alarm. The DO's internal protocol (/rate-limit,
 *   /breaker/*) differs from the original's (/rate/check, /circuit/*): a stub that answers the old
 *   protocol (a test fake) reads as unreachable and the counted in-memory fallback takes over.
 *   Its error replies are `{error: "<text>"}` (405/400/404/500); only this Worker reads them.
 * §9 metrics
 * - `rateLimited` counts every 429 RATE_LIMITED response, provider 429s included (the original: the
 *   limiter's only); the chaos explorer's metrics invariant relies on this.
 * - `kvFailures` counts failed responses with cause kv_unavailable, not each KV call that threw (a
 *   swallowed re-encrypt write failure counts reencryptFailures only).
 * - Additions: more counters, `vpsProxyCircuit.state`, `providerCircuits`, `uptimeMs`.
 *
 * Fixed here to match the original (tests below, or in the named suite): a TimeoutError rejection is a
 * timeout; batch hints and output shaping; runtimeConfig.invalidEncryptionSecret/invalidRotationSecret;
 * vpsProxyCircuit.openUntil 0 when never opened; authFailures by status 401/403, providerFailures by
 * status ≥ 500, timeouts per timed-out attempt, circuitOpens for provider circuits only
 * (proxy-circuit.test.ts); a 2xx that is not JSON is 503 NETWORK (ai-provider-client.test.ts);
 * unreadable-answer 502s are retryable; key validation accepts any reply containing OK; the /api/v2
 * origin, anti-recursion and 413 messages; the provider timeout / network / circuit-open and the
 * rate-limit messages.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { runAiAction } from "../src/ai";
import { batchHints, type BatchHints } from "../src/ai/batch-hints";
import { shapeBatch } from "../src/ai/batch";
import type { Deps } from "../src/deps";
import { handleRequest } from "../src/index";
import { metrics } from "../src/metrics";
import { callProvider, validateProviderKey } from "../src/providers";
import { bodyOf, createTestDeps, gemini, installAiLab, openrouter, replyWith, testContext, type AiLab, type TestDeps } from "./ai-helpers";
import { counter, createClock, createHarness, errorOf, useProxyTestServer } from "./proxy-harness";
import { labBackend } from "./proxy-upstream";

const server = useProxyTestServer();
let deps: TestDeps;
let lab: AiLab;
beforeEach(() => {
  deps = createTestDeps();
  lab = installAiLab(server, deps);
});
const REQUEST = { parts: [{ text: "Hi" }], temperature: 0 };
const timeoutRejection = () => new DOMException("Timed out", "TimeoutError");

/** Deps whose attempt timer has already elapsed: the Worker's own timer fires before any answer. */
const expiredTimerDeps = (): Deps => ({ ...deps, timeout: () => ({ elapsed: Promise.resolve(), cancel: () => undefined }) });

describe("a fetch rejecting with DOMException TimeoutError is a timeout (ORIGINAL §1, §5)", () => {
  it("provider: the same 504 TIMEOUT provider_timeout, Retry-After 5, as the Worker's own timer", async () => {
    lab.script(gemini, { kind: "hang" });
    const ownTimer = await callProvider(testContext({ PROVIDER_RETRIES: "0" }, expiredTimerDeps()), gemini, REQUEST).catch((error: unknown) => error);
    vi.spyOn(globalThis, "fetch").mockRejectedValue(timeoutRejection());
    const rejected = await callProvider(testContext({ PROVIDER_RETRIES: "0" }), gemini, REQUEST).catch((error: unknown) => error);
    const wire = { code: "TIMEOUT", status: 504, failureCause: "provider_timeout", retryable: true, retryAfterSec: 5, message: "Provider request timed out" };
    expect(ownTimer).toMatchObject(wire);
    expect(rejected).toMatchObject(wire);
    expect(counter("timeouts")).toBe(2);
  });

  it("provider: any other rejection (TypeError) is 503 NETWORK provider_network_error", async () => {
    vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("fetch failed"));
    await expect(callProvider(testContext({ PROVIDER_RETRIES: "0" }), openrouter, REQUEST)).rejects.toMatchObject({
      code: "NETWORK",
      status: 503,
      failureCause: "provider_network_error",
      retryAfterSec: 5,
      message: "Network error while contacting OpenRouter",
    });
    expect(counter("timeouts")).toBe(0);
  });

  it("provider: timeouts count once per timed-out attempt, as the original", async () => {
    lab.script(gemini, { kind: "hang" });
    await expect(callProvider(testContext({ PROVIDER_RETRIES: "2" }, expiredTimerDeps()), gemini, REQUEST)).rejects.toMatchObject({ code: "TIMEOUT" });
    expect(counter("timeouts")).toBe(3);
    expect(counter("retries")).toBe(2);
  });

  it("/api/v2: a TimeoutError rejection answers 503 cause timeout; a TypeError answers network_error", async () => {
    const harness = createHarness({ VPS_PROXY_RETRIES: "0" });
    const spy = vi.spyOn(globalThis, "fetch").mockRejectedValueOnce(timeoutRejection());
    const timedOut = await harness.call("/api/v2/sync/pull");
    expect(timedOut.status).toBe(503);
    expect(await errorOf(timedOut)).toMatchObject({ code: "SERVICE_UNAVAILABLE", cause: "timeout", retryable: true });
    expect(counter("vpsProxyTimeouts")).toBe(1);
    spy.mockRejectedValueOnce(new TypeError("fetch failed"));
    expect(await errorOf(await harness.call("/api/v2/sync/pull"))).toMatchObject({ cause: "network_error" });
    expect(counter("vpsProxyTimeouts")).toBe(1);
  });
});

const NO_HINTS: BatchHints = { generation: false, count: null, type: null };

describe("batch smart-batching hints (ORIGINAL §5)", () => {
  it.each<[string, BatchHints]>([
    ["idea one\ntask two", NO_HINTS],
    ["write 3 tasks", NO_HINTS],
    ["3 new ideas for dinner", NO_HINTS],
    ["Create 2 ideas about habit tracking", { generation: true, count: 2, type: "IDEA" }],
    ["Create 2 ideas and 2 tasks about habit tracking", { generation: true, count: 4, type: null }],
    ["Give me 3 new ideas for dinner", { generation: true, count: 3, type: "IDEA" }],
    ["give me 5 notes", { generation: true, count: 5, type: "NOTE" }],
    ["Brainstorm five things for the weekend", { generation: true, count: 5, type: null }],
    ["brainstorm me 7 names", { generation: true, count: 7, type: null }],
    ["give me five things", { generation: true, count: null, type: null }],
    ["Generate 2 ideas or 3 tasks", { generation: true, count: null, type: null }],
    ["generate 2 ideas versus 3 tasks", { generation: true, count: null, type: null }],
    ["generate 2 ideas then 3 tasks", { generation: true, count: 5, type: null }],
    ["list 20 ideas, 10 tasks", { generation: true, count: 25, type: null }],
    ["Make 30 tasks", { generation: true, count: 25, type: "TASK" }],
    ["Create 0 ideas", { generation: true, count: null, type: "IDEA" }],
    ["Twelve tasks for the move", { generation: true, count: 12, type: "TASK" }],
    ["a number of ideas for the garden", { generation: true, count: null, type: "IDEA" }],
    ["Draft 4 distinct ideas plus 2 fresh ideas", { generation: true, count: 6, type: "IDEA" }],
    ["Create 2 ideas; 3 ideas", { generation: true, count: 5, type: "IDEA" }],
    ["make 2 ideas about tasks", { generation: true, count: 2, type: "IDEA" }],
  ])("%j → %j", (content, expected) => {
    expect(batchHints(content)).toEqual(expected);
  });
});

const items = (...types: string[]) => JSON.stringify(types.map((type, index) => ({ content: `Item ${index + 1}`, title: `Title ${index + 1}`, tags: ["t"], type })));

describe("batch output shaping (ORIGINAL §5 examples)", () => {
  async function batch(content: string, answer: string) {
    lab.script(gemini, replyWith(gemini, answer));
    const result = (await runAiAction(testContext({}, deps), "batch", { content }, gemini)) as { results: { content: string; title: string; type: string }[] };
    return { results: result.results, prompt: JSON.stringify(bodyOf(lab.seenBy(gemini)[0]!)) };
  }

  it("a split request keeps the provider's items, content, titles and types", async () => {
    const answer = '```json\n[{"content":"Idea one","title":"First idea","tags":[],"type":"IDEA"},{"content":"Task two","title":"Second task","tags":[],"type":"TASK"}]\n```';
    const { results } = await batch("idea one\ntask two", answer);
    expect(results).toEqual([
      { content: "Idea one", title: "First idea", tags: [], type: "IDEA" },
      { content: "Task two", title: "Second task", tags: [], type: "TASK" },
    ]);
  });

  it("'Create 2 ideas …' truncates to 2 and forces IDEA, and tells the model", async () => {
    const { results, prompt } = await batch("Create 2 ideas about habit tracking", items("IDEA", "TASK", "NOTE"));
    expect(results.map((item) => item.type)).toEqual(["IDEA", "IDEA"]);
    expect(prompt).toContain("Return exactly 2 item(s).");
    expect(prompt).toContain("Every item's type must be IDEA.");
  });

  it("'Create 2 ideas and 2 tasks …' adds up to 4 and forces nothing", async () => {
    const { results } = await batch("Create 2 ideas and 2 tasks about habit tracking", items("IDEA", "IDEA", "TASK", "TASK", "NOTE"));
    expect(results.map((item) => item.type)).toEqual(["IDEA", "IDEA", "TASK", "TASK"]);
  });

  it("never pads, caps at 25, fills missing fields, and reads items/results wrappers", () => {
    expect(shapeBatch(JSON.parse(items("NOTE")), "in", { generation: true, count: 3, type: null })).toHaveLength(1);
    expect(shapeBatch(JSON.parse(items(...Array.from({ length: 30 }, () => "NOTE"))), "in")).toHaveLength(25);
    expect(shapeBatch([{ tags: [" ", "a"] }, "x"], "the input")).toEqual([
      { content: "the input", title: "Quick Note", tags: ["a"], type: "NOTE" },
      { content: "the input", title: "Quick Note", tags: [], type: "NOTE" },
    ]);
    expect(shapeBatch({ results: JSON.parse(items("TASK")) }, "in")[0]!.type).toBe("TASK");
    expect(shapeBatch({ title: "not a list" }, "in")).toEqual([]);
  });
});

/** Every leaf of the original's metrics JSON (ORIGINAL §9), by path and type. */
const ORIGINAL_METRICS_TREE: Record<string, "number" | "boolean"> = Object.fromEntries([
  ...["requests", "authFailures", "providerFailures", "retries", "timeouts", "rateLimited", "circuitOpens", "vpsProxyFailures", "vpsProxyTimeouts",
    "vpsProxyRetries", "vpsProxyCircuitOpens", "vpsProxyCircuitRejects", "vpsProxyNoRetryPathHits", "vpsProxyRetryAfterHonored", "vpsProxy5xxPassthrough"].map((name) => `metrics.${name}`),
  ...["origin_unconfigured", "timeout", "network_error", "upstream_5xx", "circuit_open", "kv_unavailable"].map((name) => `failureCauses.upstream.${name}`),
  ...["provider_timeout", "provider_5xx", "provider_circuit_open", "provider_network_error"].map((name) => `failureCauses.provider.${name}`),
  ...["missingClerkConfig", "partialClerkConfig", "invalidClerkConfig"].map((name) => `reliability.authConfig.${name}`),
  ...["invalidEncryptionSecret", "invalidRotationSecret"].map((name) => `reliability.runtimeConfig.${name}`),
  ...["fallbackDecrypts", "decryptFailures", "reencryptSuccesses", "reencryptFailures"].map((name) => `reliability.secretRotation.${name}`),
  "reliability.kvFailures",
  "vpsProxyCircuit.openUntil",
  "vpsProxyCircuit.remainingMs",
].map((path) => [path, "number" as const]).concat([["vpsProxyCircuit.open", "boolean"]]));

function leaves(value: unknown, prefix = ""): Record<string, string> {
  if (value === null || typeof value !== "object") return { [prefix]: value === null ? "null" : typeof value };
  return Object.assign({}, ...Object.entries(value).map(([key, child]) => leaves(child, prefix ? `${prefix}.${key}` : key)));
}

describe("metrics JSON keeps every field of the original (ORIGINAL §9)", () => {
  it("has the original's full key tree, same names, nesting and types; ours only adds", async () => {
    const response = await handleRequest(new Request("http://127.0.0.1/api/v1/metrics"), createHarness().env);
    const ours = leaves(await response.json());
    const missingOrRetyped = Object.entries(ORIGINAL_METRICS_TREE).filter(([path, type]) => ours[path] !== type);
    expect(missingOrRetyped).toEqual([]);
  });

  it("shows a never-opened /api/v2 circuit as openUntil 0, and the secret-check counters under runtimeConfig", async () => {
    metrics.secretRotation.invalidEncryptionSecret = 0;
    const { countRotation } = await import("../src/metrics");
    countRotation(metrics, "invalidEncryptionSecret");
    const body = (await (await handleRequest(new Request("http://127.0.0.1/api/v1/metrics"), createHarness().env)).json()) as {
      vpsProxyCircuit: { openUntil: number };
      reliability: { runtimeConfig: Record<string, number>; secretRotation: Record<string, number> };
    };
    expect(body.vpsProxyCircuit.openUntil).toBe(0);
    expect(body.reliability.runtimeConfig.invalidEncryptionSecret).toBe(1);
    expect(body.reliability.secretRotation.invalidEncryptionSecret).toBe(1);
  });
});

describe("counters count what the original counts (ORIGINAL §2, §9)", () => {
  it("providerFailures rises for any ≥ 500 error response, not only provider ones; circuitOpens not for /api/v2", async () => {
    const harness = createHarness({ VPS_API_ORIGIN: "" });
    expect((await harness.call("/api/v2/sync/pull")).status).toBe(503);
    expect(counter("providerFailures")).toBe(1);
    expect(counter("authFailures")).toBe(0);
  });

  it("the key-validation ping accepts any reply that contains OK, as the original", async () => {
    lab.script(gemini, replyWith(gemini, "Okay."));
    await expect(validateProviderKey(testContext({}, deps), gemini)).resolves.toBeUndefined();
    lab.script(gemini, replyWith(gemini, "No."));
    await expect(validateProviderKey(testContext({}, deps), gemini)).rejects.toMatchObject({ code: "AUTH_REQUIRED", message: "API key validation failed" });
  });
});

describe("/api/v2 messages of the original (ORIGINAL §6)", () => {
  it.each([
    [{ VPS_API_ORIGIN: "" }, "https://pb.example.org/api/v2/x", 503, "VPS API origin is not configured"],
    [{ VPS_API_ORIGIN: "http://backend.example.org" }, "https://pb.example.org/api/v2/x", 503, "VPS API origin must use https:// outside loopback hosts."],
    [{ VPS_API_ORIGIN: "not a url" }, "https://pb.example.org/api/v2/x", 503, "VPS API origin is invalid. Use an absolute URL."],
    [{ VPS_API_ORIGIN: "https://pb.example.org" }, "https://pb.example.org/api/v2/x", 500, "VPS API origin cannot match the worker origin for proxy routes."],
  ])("%j → %i %s", async (env, url, status, message) => {
    const backend = labBackend(server, createClock());
    const response = await createHarness(env).call(url);
    expect(response.status).toBe(status);
    expect((await errorOf(response)).message).toBe(message);
    expect(backend.seen).toHaveLength(0);
  });

  it("413 names the limit as the original", async () => {
    const response = await createHarness({ VPS_PROXY_MAX_BODY_BYTES: "32768" }).call("/api/v2/sync/push", { method: "POST", body: "x".repeat(40_000) });
    expect(response.status).toBe(413);
    expect((await errorOf(response)).message).toBe("Proxy request body exceeds limit (32768 bytes).");
  });
});
