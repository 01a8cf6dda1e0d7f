import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getConfig } from "../src/config";
import { createContext } from "../src/context";
import { realDeps } from "../src/deps";
import type { WorkerEnv } from "../src/env";
import { handleRequest } from "../src/index";
import { callProvider } from "../src/providers";
import { resetRetryBudget } from "../src/proxy";
import { resetVpsCircuit } from "../src/vps-circuit";

/**
 * The PocketBrain tests spy on globalThis.fetch and reject with a DOMException named TimeoutError:
 * on workerd too that is a timeout, and any other rejection is a network error.
 */
const bindings = env as unknown as WorkerEnv;
const timeoutRejection = () => new DOMException("Timed out", "TimeoutError");

beforeEach(() => {
  resetVpsCircuit();
  resetRetryBudget();
});
afterEach(() => vi.restoreAllMocks());

describe("fetch rejections on workerd", () => {
  it("/api/v2: TimeoutError → 503 cause timeout; TypeError → network_error", async () => {
    const vars = { ...bindings, VPS_API_ORIGIN: "http://127.0.0.1:8620", VPS_PROXY_RETRIES: "0" };
    const spy = vi.spyOn(globalThis, "fetch").mockRejectedValueOnce(timeoutRejection());
    const timedOut = await handleRequest(new Request("https://pb.example.org/api/v2/sync/pull"), vars, realDeps);
    expect(timedOut.status).toBe(503);
    expect(((await timedOut.json()) as { error: { cause: string } }).error.cause).toBe("timeout");
    spy.mockRejectedValueOnce(new TypeError("fetch failed"));
    const failed = await handleRequest(new Request("https://pb.example.org/api/v2/sync/pull"), vars, realDeps);
    expect(((await failed.json()) as { error: { cause: string } }).error.cause).toBe("network_error");
  });

  it("provider: TimeoutError → 504 TIMEOUT provider_timeout with Retry-After 5", async () => {
    const vars = { ...bindings, PROVIDER_RETRIES: "0" };
    const ctx = createContext(new Request("http://127.0.0.1/api/v1/ai/analyze", { method: "POST" }), vars, getConfig(vars), realDeps, "req-workerd-timeout-01");
    vi.spyOn(globalThis, "fetch").mockRejectedValue(timeoutRejection());
    await expect(callProvider(ctx, { provider: "gemini", apiKey: "AIza-workerd-test-key" }, { parts: [{ text: "Hi" }], temperature: 0 })).rejects.toMatchObject({
      code: "TIMEOUT",
      status: 504,
      failureCause: "provider_timeout",
      retryAfterSec: 5,
    });
  });
});
