import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FaultSpec } from "../../fault-lab/src/faults/types";
import { GEMINI_INVALID_KEY_BODY, geminiError, geminiReply } from "../../fault-lab/src/fakes/gemini-wire";
import { openrouterReply } from "../../fault-lab/src/fakes/openrouter-wire";
import { ApiError } from "../src/errors";
import { metrics, resetMetrics } from "../src/metrics";
import { callProvider, validateProviderKey } from "../src/providers";
import type { ProviderRequest } from "../src/providers/types";
import type { Credential } from "../src/types";
import {
  bodyOf,
  createTestDeps,
  gemini,
  GEMINI_KEY,
  installAiLab,
  keyEchoingError,
  openrouter,
  OPENROUTER_KEY,
  replyWith,
  reshapedGeminiReply,
  testContext,
  type AiLab,
  type TestDeps,
} from "./ai-helpers";
import { HANG_PAST_TIMEOUT } from "./virtual-timers";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

let deps: TestDeps;
let lab: AiLab;
beforeEach(() => {
  resetMetrics();
  deps = createTestDeps();
  lab = installAiLab(server, deps);
});

const REQUEST: ProviderRequest = { system: "Be brief.", parts: [{ text: "Hello" }], temperature: 0.2, json: true };

/** A provider reply with no answer in it: Gemini without candidates, OpenRouter without choices. */
const emptyReply = (credential: Credential): FaultSpec => ({
  kind: "status",
  status: 200,
  body: credential.provider === "gemini" ? { ...geminiReply(""), candidates: [] } : { ...openrouterReply("", { id: "gen-unit-ai" }), choices: [] },
});

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return error;
}

describe("wire formats", () => {
  it("sends the Gemini key only in x-goog-api-key, never in the URL", async () => {
    lab.script(gemini, replyWith(gemini, "hi"));
    expect(await callProvider(testContext({}, deps), gemini, REQUEST)).toBe("hi");
    const [seen] = lab.seenBy(gemini);
    expect(seen!.headers.get("x-goog-api-key")).toBe(GEMINI_KEY);
    expect(seen!.url).not.toContain(GEMINI_KEY);
    expect(new URL(seen!.url).search).toBe("");
    expect(seen!.headers.get("authorization")).toBeNull();
    expect(bodyOf(seen!)).toEqual({
      contents: [{ role: "user", parts: [{ text: "Hello" }] }],
      systemInstruction: { parts: [{ text: "Be brief." }] },
      generationConfig: { temperature: 0.2, responseMimeType: "application/json" },
    });
  });

  it("sends OpenRouter a Bearer key and DEFAULT_MODEL", async () => {
    lab.script(openrouter, replyWith(openrouter, "hi"));
    expect(await callProvider(testContext({ DEFAULT_MODEL: "anthropic/claude-test" }, deps), openrouter, REQUEST)).toBe("hi");
    const [seen] = lab.seenBy(openrouter);
    expect(seen!.headers.get("authorization")).toBe(`Bearer ${OPENROUTER_KEY}`);
    expect(bodyOf(seen!)).toEqual({
      model: "anthropic/claude-test",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello" },
      ],
      temperature: 0.2,
    });
  });

  it("ignores Gemini thought parts and joins the answer parts", async () => {
    lab.script(gemini, reshapedGeminiReply((candidate) => ({ ...candidate, content: { role: "model", parts: [{ text: "thinking…", thought: true }, { text: "A" }, { text: "B" }] } })));
    expect(await callProvider(testContext({}, deps), gemini, REQUEST)).toBe("AB");
  });
});

describe.each([gemini, openrouter])("retries and error mapping ($provider)", (credential: Credential) => {
  it("retries a 503 and succeeds, counting the retry and both attempts", async () => {
    lab.script(credential, { kind: "status", status: 503, times: 1 }, replyWith(credential, "fine"));
    expect(await callProvider(testContext({}, deps), credential, REQUEST)).toBe("fine");
    expect(lab.seenBy(credential)).toHaveLength(2);
    expect(metrics.metrics.retries).toBe(1);
    expect(metrics.metrics.providerAttempts).toBe(2);
    expect(deps.sleeps).toHaveLength(1);
    expect(deps.sleeps[0]).toBeLessThan(250);
  });

  it("gives up after 1 + PROVIDER_RETRIES attempts on 5xx with the provider's status and provider_5xx", async () => {
    lab.script(credential, { kind: "status", status: 500 });
    const error = await failure(callProvider(testContext({}, deps), credential, REQUEST));
    expect(lab.seenBy(credential)).toHaveLength(3);
    expect(error).toMatchObject({ code: "PROVIDER_UNAVAILABLE", status: 500, failureCause: "provider_5xx", retryable: true, retryAfterSec: 5 });
    expect(metrics.metrics.retries).toBe(2);
  });

  it("uses the provider's Retry-After as the backoff floor and on the final 429", async () => {
    lab.script(credential, { kind: "status", status: 429, retryAfter: 3 });
    const error = await failure(callProvider(testContext({ PROVIDER_RETRIES: "1" }, deps), credential, REQUEST));
    expect(lab.seenBy(credential)).toHaveLength(2);
    expect(deps.sleeps).toEqual([3000]);
    expect(error).toMatchObject({ code: "RATE_LIMITED", status: 429, retryable: true, retryAfterSec: 3 });
  });

  it("reads an HTTP-date Retry-After against the injected clock", async () => {
    lab.script(credential, { kind: "status", status: 503, retryAfterDate: 8 });
    const error = await failure(callProvider(testContext({ PROVIDER_RETRIES: "1" }, deps), credential, REQUEST));
    expect(deps.sleeps).toEqual([8000]);
    expect(error.retryAfterSec).toBe(8);
  });

  it("stops at once when Retry-After exceeds the 10 s floor cap, passing it on", async () => {
    lab.script(credential, { kind: "status", status: 429, retryAfter: 60 });
    const error = await failure(callProvider(testContext({}, deps), credential, REQUEST));
    expect(lab.seenBy(credential)).toHaveLength(1);
    expect(deps.sleeps).toEqual([]);
    expect(error).toMatchObject({ code: "RATE_LIMITED", retryAfterSec: 60 });
  });

  it("maps a network error to 503 NETWORK provider_network_error after every retry", async () => {
    lab.script(credential, { kind: "reset" });
    const error = await failure(callProvider(testContext({}, deps), credential, REQUEST));
    expect(lab.seenBy(credential)).toHaveLength(3);
    expect(error).toMatchObject({ code: "NETWORK", status: 503, failureCause: "provider_network_error", retryable: true, retryAfterSec: 5 });
  });

  it("maps a hang to 504 TIMEOUT provider_timeout after 1 + retries attempts", async () => {
    lab.script(credential, HANG_PAST_TIMEOUT);
    const started = deps.now();
    const error = await failure(callProvider(testContext({ PROVIDER_TIMEOUT_MS: "500", PROVIDER_RETRIES: "1" }, deps), credential, REQUEST));
    expect(lab.seenBy(credential)).toHaveLength(2);
    // Each attempt ran its full timeout on the virtual clock (this fake's backoff sleeps take no time).
    expect(deps.now() - started).toBe(2 * 500);
    expect(error).toMatchObject({ code: "TIMEOUT", status: 504, failureCause: "provider_timeout", retryable: true, retryAfterSec: 5 });
  });

  it.each([401, 403])("maps %d to AUTH_REQUIRED without retrying", async (status) => {
    lab.script(credential, { kind: "status", status });
    const error = await failure(callProvider(testContext({}, deps), credential, REQUEST));
    expect(lab.seenBy(credential)).toHaveLength(1);
    expect(error).toMatchObject({ code: "AUTH_REQUIRED", status: 401, retryable: false });
  });

  it("maps another 4xx to a non-retryable 502 without retrying", async () => {
    lab.script(credential, { kind: "status", status: 404 });
    const error = await failure(callProvider(testContext({}, deps), credential, REQUEST));
    expect(lab.seenBy(credential)).toHaveLength(1);
    expect(error).toMatchObject({ code: "PROVIDER_UNAVAILABLE", status: 502, retryable: false, retryAfterSec: undefined });
    expect(error.failureCause).toBeUndefined();
  });

  it("maps a 200 whose body is not JSON to 503 NETWORK provider_network_error, as the original worker", async () => {
    lab.script(credential, { kind: "status", status: 200, body: "<html>oops</html>", headers: { "content-type": "text/html" } });
    const error = await failure(callProvider(testContext({ PROVIDER_RETRIES: "0" }, deps), credential, REQUEST));
    expect(error).toMatchObject({ code: "NETWORK", status: 503, retryable: true, failureCause: "provider_network_error", retryAfterSec: 5 });
  });

  it("maps a JSON 200 without answer text to 502 PROVIDER_UNAVAILABLE, retryable, without a cause", async () => {
    lab.script(credential, { kind: "status", status: 200, body: { unexpected: true } });
    const error = await failure(callProvider(testContext({}, deps), credential, REQUEST));
    expect(error).toMatchObject({ code: "PROVIDER_UNAVAILABLE", status: 502, retryable: true });
    expect(error.failureCause).toBeUndefined();
  });

  it("never puts the key or the provider's error text in the error", async () => {
    for (const status of [400, 401, 429, 500]) {
      lab.script(credential, { kind: "status", status, body: keyEchoingError(credential, status) });
      const error = await failure(callProvider(testContext({ PROVIDER_RETRIES: "0" }, deps), credential, REQUEST));
      const visible = JSON.stringify({ message: error.message, internal: error.internal });
      expect(visible).not.toContain(credential.apiKey);
      expect(visible).not.toContain("Problem with key");
    }
  });
});

describe("Gemini specifics", () => {
  it("treats 400 API_KEY_INVALID as a refused key", async () => {
    lab.script(gemini, { kind: "status", status: 400, body: GEMINI_INVALID_KEY_BODY });
    expect(await failure(callProvider(testContext({}, deps), gemini, REQUEST))).toMatchObject({ code: "AUTH_REQUIRED" });
  });

  it("takes RetryInfo.retryDelay as Retry-After when the header is missing", async () => {
    const quota = geminiError(429) as { error: Record<string, unknown> };
    const body = { error: { ...quota.error, details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "7s" }] } };
    lab.script(gemini, { kind: "status", status: 429, body });
    const error = await failure(callProvider(testContext({ PROVIDER_RETRIES: "1" }, deps), gemini, REQUEST));
    expect(deps.sleeps).toEqual([7000]);
    expect(error.retryAfterSec).toBe(7);
  });
});

describe("validateProviderKey", () => {
  it.each([gemini, openrouter])("accepts a reply containing OK ($provider)", async (credential) => {
    lab.script(credential, replyWith(credential, "OK."));
    await expect(validateProviderKey(testContext({}, deps), credential)).resolves.toBeUndefined();
    expect(lab.seenBy(credential)).toHaveLength(1);
  });

  it.each([
    ["a reply without OK", (credential: Credential) => replyWith(credential, "I cannot help with that")],
    ["a 401", (): FaultSpec => ({ kind: "status", status: 401 })],
    ["a 403", (): FaultSpec => ({ kind: "status", status: 403 })],
    ["an empty answer", emptyReply],
  ])("refuses the key on %s", async (_label, respond) => {
    for (const credential of [gemini, openrouter]) {
      lab.script(credential, respond(credential));
      const error = await failure(validateProviderKey(testContext({}, deps), credential));
      expect(error).toMatchObject({ code: "AUTH_REQUIRED", status: 401, message: "API key validation failed" });
    }
  });

  it("refuses a Gemini key the provider answers with 400 API_KEY_INVALID", async () => {
    const invalid: Credential = { provider: "gemini", apiKey: "AIza-invalid-key-000000" };
    expect(await failure(validateProviderKey(testContext({}, deps), invalid))).toMatchObject({ code: "AUTH_REQUIRED", message: "API key validation failed" });
    expect(lab.network.control.events("gemini")[0]).toMatchObject({ status: 400 });
  });

  it("reports an outage as an outage, not as a bad key", async () => {
    lab.script(gemini, { kind: "status", status: 503 });
    expect(await failure(validateProviderKey(testContext({}, deps), gemini))).toMatchObject({ code: "PROVIDER_UNAVAILABLE", failureCause: "provider_5xx" });
  });
});
