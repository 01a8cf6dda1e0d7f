import { HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../src/errors";
import { callProvider } from "../src/providers";
import { gemini, GEMINI_URL, geminiAnswer, providerError, scriptedEndpoint, testContext } from "./ai-helpers";

const breaker = vi.hoisted(() => ({ reports: [] as string[], acquired: 0, refuse: false }));

vi.mock("../src/control-plane-client", () => ({
  enforceRateLimit: async () => undefined,
  providerCircuitViews: async () => undefined,
  acquireProviderPermit: async () => {
    if (breaker.refuse) {
      throw new ApiError("PROVIDER_UNAVAILABLE", "The AI provider is temporarily unavailable.", {
        status: 503,
        cause: "provider_circuit_open",
        retryable: true,
        retryAfterSec: 12,
      });
    }
    breaker.acquired += 1;
    return { report: async (verdict: string) => void breaker.reports.push(verdict) };
  },
}));

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());
beforeEach(() => {
  breaker.reports = [];
  breaker.acquired = 0;
  breaker.refuse = false;
});

const REQUEST = { parts: [{ text: "Hi" }], temperature: 0 };

describe("shared provider breaker", () => {
  it("asks for a permit before every attempt and reports each attempt's health", async () => {
    server.use(scriptedEndpoint(GEMINI_URL, [providerError(gemini, 503), providerError(gemini, 429), geminiAnswer("ok")]).handler);
    await callProvider(testContext(), gemini, REQUEST);
    expect(breaker.acquired).toBe(3);
    expect(breaker.reports).toEqual(["failure", "neutral", "success"]);
  });

  it("reports network errors as failures, one key's refusal as neutral, unreadable answers as healthy", async () => {
    server.use(scriptedEndpoint(GEMINI_URL, [() => HttpResponse.error()]).handler);
    await expect(callProvider(testContext({ PROVIDER_RETRIES: "0" }), gemini, REQUEST)).rejects.toMatchObject({ code: "NETWORK" });
    server.use(scriptedEndpoint(GEMINI_URL, [providerError(gemini, 401)]).handler);
    await expect(callProvider(testContext(), gemini, REQUEST)).rejects.toMatchObject({ code: "AUTH_REQUIRED" });
    server.use(scriptedEndpoint(GEMINI_URL, [() => HttpResponse.json({ nothing: true })]).handler);
    await expect(callProvider(testContext(), gemini, REQUEST)).rejects.toMatchObject({ code: "PROVIDER_UNAVAILABLE" });
    expect(breaker.reports).toEqual(["failure", "neutral", "success"]);
  });

  it("makes no provider call while the circuit is open and passes its 503 on", async () => {
    breaker.refuse = true;
    const endpoint = scriptedEndpoint(GEMINI_URL, [geminiAnswer("never")]);
    server.use(endpoint.handler);
    await expect(callProvider(testContext(), gemini, REQUEST)).rejects.toMatchObject({
      status: 503,
      failureCause: "provider_circuit_open",
      retryAfterSec: 12,
    });
    expect(endpoint.seen).toHaveLength(0);
  });
});
