import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../src/errors";
import { callProvider } from "../src/providers";
import { createTestDeps, gemini, installAiLab, replyWith, testContext, type AiLab, type TestDeps } from "./ai-helpers";

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
let deps: TestDeps;
let lab: AiLab;
beforeEach(() => {
  deps = createTestDeps();
  lab = installAiLab(server, deps);
  breaker.reports = [];
  breaker.acquired = 0;
  breaker.refuse = false;
});

const REQUEST = { parts: [{ text: "Hi" }], temperature: 0 };

describe("shared provider breaker", () => {
  it("asks for a permit before every attempt and reports each attempt's health", async () => {
    lab.script(gemini, { kind: "status", status: 503, times: 1 }, { kind: "status", status: 429, times: 1 }, replyWith(gemini, "ok"));
    await callProvider(testContext({}, deps), gemini, REQUEST);
    expect(breaker.acquired).toBe(3);
    expect(breaker.reports).toEqual(["failure", "neutral", "success"]);
  });

  it("reports network errors as failures, one key's refusal as neutral, unreadable answers as healthy", async () => {
    lab.script(gemini, { kind: "reset" });
    await expect(callProvider(testContext({ PROVIDER_RETRIES: "0" }, deps), gemini, REQUEST)).rejects.toMatchObject({ code: "NETWORK" });
    lab.script(gemini, { kind: "status", status: 401 });
    await expect(callProvider(testContext({}, deps), gemini, REQUEST)).rejects.toMatchObject({ code: "AUTH_REQUIRED" });
    lab.script(gemini, { kind: "status", status: 200, body: { nothing: true } });
    await expect(callProvider(testContext({}, deps), gemini, REQUEST)).rejects.toMatchObject({ code: "PROVIDER_UNAVAILABLE" });
    expect(breaker.reports).toEqual(["failure", "neutral", "success"]);
  });

  it("makes no provider call while the circuit is open and passes its 503 on", async () => {
    breaker.refuse = true;
    await expect(callProvider(testContext({}, deps), gemini, REQUEST)).rejects.toMatchObject({
      status: 503,
      failureCause: "provider_circuit_open",
      retryAfterSec: 12,
    });
    expect(lab.seenBy(gemini)).toHaveLength(0);
  });
});
