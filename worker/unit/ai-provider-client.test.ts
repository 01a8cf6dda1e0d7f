import { delay, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ApiError } from "../src/errors";
import { metrics, resetMetrics } from "../src/metrics";
import { callProvider, validateProviderKey } from "../src/providers";
import type { ProviderRequest } from "../src/providers/types";
import type { Credential } from "../src/types";
import {
  answerFor,
  createTestDeps,
  gemini,
  GEMINI_KEY,
  GEMINI_URL,
  geminiAnswer,
  openrouter,
  OPENROUTER_KEY,
  openrouterAnswer,
  providerError,
  scriptedEndpoint,
  testContext,
  urlFor,
} from "./ai-helpers";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());
beforeEach(() => resetMetrics());

const REQUEST: ProviderRequest = { system: "Be brief.", parts: [{ text: "Hello" }], temperature: 0.2, json: true };

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
    const endpoint = scriptedEndpoint(GEMINI_URL, [geminiAnswer("hi")]);
    server.use(endpoint.handler);
    expect(await callProvider(testContext(), gemini, REQUEST)).toBe("hi");
    const [seen] = endpoint.seen;
    expect(seen!.headers.get("x-goog-api-key")).toBe(GEMINI_KEY);
    expect(seen!.url).not.toContain(GEMINI_KEY);
    expect(new URL(seen!.url).search).toBe("");
    expect(seen!.headers.get("authorization")).toBeNull();
    expect(seen!.body).toEqual({
      contents: [{ role: "user", parts: [{ text: "Hello" }] }],
      systemInstruction: { parts: [{ text: "Be brief." }] },
      generationConfig: { temperature: 0.2, responseMimeType: "application/json" },
    });
  });

  it("sends OpenRouter a Bearer key and DEFAULT_MODEL", async () => {
    const endpoint = scriptedEndpoint(urlFor(openrouter), [openrouterAnswer("hi")]);
    server.use(endpoint.handler);
    expect(await callProvider(testContext({ DEFAULT_MODEL: "anthropic/claude-test" }), openrouter, REQUEST)).toBe("hi");
    const [seen] = endpoint.seen;
    expect(seen!.headers.get("authorization")).toBe(`Bearer ${OPENROUTER_KEY}`);
    expect(seen!.body).toEqual({
      model: "anthropic/claude-test",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello" },
      ],
      temperature: 0.2,
    });
  });

  it("ignores Gemini thought parts and joins the answer parts", async () => {
    server.use(
      scriptedEndpoint(GEMINI_URL, [
        () => HttpResponse.json({ candidates: [{ content: { role: "model", parts: [{ text: "thinking…", thought: true }, { text: "A" }, { text: "B" }] } }] }),
      ]).handler,
    );
    expect(await callProvider(testContext(), gemini, REQUEST)).toBe("AB");
  });
});

describe.each([gemini, openrouter])("retries and error mapping ($provider)", (credential: Credential) => {
  it("retries a 503 and succeeds, counting the retry and both attempts", async () => {
    const deps = createTestDeps();
    const endpoint = scriptedEndpoint(urlFor(credential), [providerError(credential, 503), answerFor(credential, "fine")]);
    server.use(endpoint.handler);
    expect(await callProvider(testContext({}, deps), credential, REQUEST)).toBe("fine");
    expect(endpoint.seen).toHaveLength(2);
    expect(metrics.metrics.retries).toBe(1);
    expect(metrics.metrics.providerAttempts).toBe(2);
    expect(deps.sleeps).toHaveLength(1);
    expect(deps.sleeps[0]).toBeLessThan(250);
  });

  it("gives up after 1 + PROVIDER_RETRIES attempts on 5xx with the provider's status and provider_5xx", async () => {
    const endpoint = scriptedEndpoint(urlFor(credential), [providerError(credential, 500)]);
    server.use(endpoint.handler);
    const error = await failure(callProvider(testContext(), credential, REQUEST));
    expect(endpoint.seen).toHaveLength(3);
    expect(error).toMatchObject({ code: "PROVIDER_UNAVAILABLE", status: 500, failureCause: "provider_5xx", retryable: true, retryAfterSec: 5 });
    expect(metrics.metrics.retries).toBe(2);
  });

  it("uses the provider's Retry-After as the backoff floor and on the final 429", async () => {
    const deps = createTestDeps();
    const endpoint = scriptedEndpoint(urlFor(credential), [providerError(credential, 429, { headers: { "Retry-After": "3" } })]);
    server.use(endpoint.handler);
    const error = await failure(callProvider(testContext({ PROVIDER_RETRIES: "1" }, deps), credential, REQUEST));
    expect(endpoint.seen).toHaveLength(2);
    expect(deps.sleeps).toEqual([3000]);
    expect(error).toMatchObject({ code: "RATE_LIMITED", status: 429, retryable: true, retryAfterSec: 3 });
  });

  it("reads an HTTP-date Retry-After against the injected clock", async () => {
    const deps = createTestDeps();
    const at = new Date(deps.now() + 8_000).toUTCString();
    server.use(scriptedEndpoint(urlFor(credential), [providerError(credential, 503, { headers: { "Retry-After": at } })]).handler);
    const error = await failure(callProvider(testContext({ PROVIDER_RETRIES: "1" }, deps), credential, REQUEST));
    expect(deps.sleeps).toEqual([8000]);
    expect(error.retryAfterSec).toBe(8);
  });

  it("stops at once when Retry-After exceeds the 10 s floor cap, passing it on", async () => {
    const deps = createTestDeps();
    const endpoint = scriptedEndpoint(urlFor(credential), [providerError(credential, 429, { headers: { "Retry-After": "60" } })]);
    server.use(endpoint.handler);
    const error = await failure(callProvider(testContext({}, deps), credential, REQUEST));
    expect(endpoint.seen).toHaveLength(1);
    expect(deps.sleeps).toEqual([]);
    expect(error).toMatchObject({ code: "RATE_LIMITED", retryAfterSec: 60 });
  });

  it("maps a network error to 503 NETWORK provider_network_error after every retry", async () => {
    let attempts = 0;
    server.use(
      scriptedEndpoint(urlFor(credential), [
        () => {
          attempts += 1;
          return HttpResponse.error();
        },
      ]).handler,
    );
    const error = await failure(callProvider(testContext(), credential, REQUEST));
    expect(attempts).toBe(3);
    expect(error).toMatchObject({ code: "NETWORK", status: 503, failureCause: "provider_network_error", retryable: true, retryAfterSec: 5 });
  });

  it("maps a hang to 504 TIMEOUT provider_timeout after 1 + retries attempts", async () => {
    const endpoint = scriptedEndpoint(urlFor(credential), [
      async () => {
        await delay("infinite");
        return HttpResponse.json({});
      },
    ]);
    server.use(endpoint.handler);
    const started = Date.now();
    const error = await failure(callProvider(testContext({ PROVIDER_TIMEOUT_MS: "500", PROVIDER_RETRIES: "1" }), credential, REQUEST));
    expect(endpoint.seen).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error).toMatchObject({ code: "TIMEOUT", status: 504, failureCause: "provider_timeout", retryable: true, retryAfterSec: 5 });
  });

  it.each([401, 403])("maps %d to AUTH_REQUIRED without retrying", async (status) => {
    const endpoint = scriptedEndpoint(urlFor(credential), [providerError(credential, status)]);
    server.use(endpoint.handler);
    const error = await failure(callProvider(testContext(), credential, REQUEST));
    expect(endpoint.seen).toHaveLength(1);
    expect(error).toMatchObject({ code: "AUTH_REQUIRED", status: 401, retryable: false });
  });

  it("maps another 4xx to a non-retryable 502 without retrying", async () => {
    const endpoint = scriptedEndpoint(urlFor(credential), [providerError(credential, 404)]);
    server.use(endpoint.handler);
    const error = await failure(callProvider(testContext(), credential, REQUEST));
    expect(endpoint.seen).toHaveLength(1);
    expect(error).toMatchObject({ code: "PROVIDER_UNAVAILABLE", status: 502, retryable: false, retryAfterSec: undefined });
    expect(error.failureCause).toBeUndefined();
  });

  it("maps a 200 whose body is not JSON to 503 NETWORK provider_network_error, as the original worker", async () => {
    server.use(scriptedEndpoint(urlFor(credential), [() => HttpResponse.text("<html>oops</html>")]).handler);
    const error = await failure(callProvider(testContext({ PROVIDER_RETRIES: "0" }), credential, REQUEST));
    expect(error).toMatchObject({ code: "NETWORK", status: 503, retryable: true, failureCause: "provider_network_error", retryAfterSec: 5 });
  });

  it("maps a JSON 200 without answer text to 502 PROVIDER_UNAVAILABLE, retryable, without a cause", async () => {
    server.use(scriptedEndpoint(urlFor(credential), [() => HttpResponse.json({ unexpected: true })]).handler);
    const error = await failure(callProvider(testContext(), credential, REQUEST));
    expect(error).toMatchObject({ code: "PROVIDER_UNAVAILABLE", status: 502, retryable: true });
    expect(error.failureCause).toBeUndefined();
  });

  it("never puts the key or the provider's error text in the error", async () => {
    for (const status of [400, 401, 429, 500]) {
      server.use(scriptedEndpoint(urlFor(credential), [providerError(credential, status)]).handler);
      const error = await failure(callProvider(testContext({ PROVIDER_RETRIES: "0" }), credential, REQUEST));
      const visible = JSON.stringify({ message: error.message, internal: error.internal });
      expect(visible).not.toContain(credential.apiKey);
      expect(visible).not.toContain("Problem with key");
    }
  });
});

describe("Gemini specifics", () => {
  it("treats 400 API_KEY_INVALID as a refused key", async () => {
    const body = { error: { code: 400, message: "API key not valid. Please pass a valid API key.", status: "INVALID_ARGUMENT", details: [{ reason: "API_KEY_INVALID" }] } };
    server.use(scriptedEndpoint(GEMINI_URL, [providerError(gemini, 400, { body })]).handler);
    expect(await failure(callProvider(testContext(), gemini, REQUEST))).toMatchObject({ code: "AUTH_REQUIRED" });
  });

  it("takes RetryInfo.retryDelay as Retry-After when the header is missing", async () => {
    const body = {
      error: { code: 429, message: "Quota exceeded", status: "RESOURCE_EXHAUSTED", details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "7s" }] },
    };
    const deps = createTestDeps();
    server.use(scriptedEndpoint(GEMINI_URL, [providerError(gemini, 429, { body })]).handler);
    const error = await failure(callProvider(testContext({ PROVIDER_RETRIES: "1" }, deps), gemini, REQUEST));
    expect(deps.sleeps).toEqual([7000]);
    expect(error.retryAfterSec).toBe(7);
  });
});

describe("validateProviderKey", () => {
  it.each([gemini, openrouter])("accepts a reply containing OK ($provider)", async (credential) => {
    const endpoint = scriptedEndpoint(urlFor(credential), [answerFor(credential, "OK.")]);
    server.use(endpoint.handler);
    await expect(validateProviderKey(testContext(), credential)).resolves.toBeUndefined();
    expect(endpoint.seen).toHaveLength(1);
  });

  it.each([
    ["a reply without OK", (credential: Credential) => answerFor(credential, "I cannot help with that")],
    ["a 401", (credential: Credential) => providerError(credential, 401)],
    ["a 403", (credential: Credential) => providerError(credential, 403)],
    ["an empty answer", () => () => HttpResponse.json({ candidates: [], choices: [] })],
  ])("refuses the key on %s", async (_label, respond) => {
    for (const credential of [gemini, openrouter]) {
      server.use(scriptedEndpoint(urlFor(credential), [respond(credential)]).handler);
      const error = await failure(validateProviderKey(testContext(), credential));
      expect(error).toMatchObject({ code: "AUTH_REQUIRED", status: 401, message: "API key validation failed" });
    }
  });

  it("refuses a Gemini key answered with 400 API_KEY_INVALID", async () => {
    const body = { error: { code: 400, message: "API key not valid.", status: "INVALID_ARGUMENT", details: [{ reason: "API_KEY_INVALID" }] } };
    server.use(scriptedEndpoint(GEMINI_URL, [providerError(gemini, 400, { body })]).handler);
    expect(await failure(validateProviderKey(testContext(), gemini))).toMatchObject({ code: "AUTH_REQUIRED", message: "API key validation failed" });
  });

  it("reports an outage as an outage, not as a bad key", async () => {
    server.use(scriptedEndpoint(GEMINI_URL, [providerError(gemini, 503)]).handler);
    expect(await failure(validateProviderKey(testContext(), gemini))).toMatchObject({ code: "PROVIDER_UNAVAILABLE", failureCause: "provider_5xx" });
  });
});
