import { describe, expect, it } from "vitest";
import { classify } from "./attempt";
import { geminiAdapter } from "./gemini";
import { openrouterAdapter } from "./openrouter";

const NOW = Date.UTC(2026, 10, 2);

describe("classify", () => {
  it.each([
    [200, null, { candidates: [{ content: { parts: [{ text: "hi" }] } }] }, { kind: "ok", text: "hi" }],
    [200, null, { candidates: [{ finishReason: "SAFETY" }] }, { kind: "malformed" }],
    [200, null, null, { kind: "malformed" }],
    [429, "12", null, { kind: "rate_limited", retryAfterSec: 12 }],
    [429, null, { error: { details: [{ retryDelay: "2.5s" }] } }, { kind: "rate_limited", retryAfterSec: 3 }],
    [503, null, null, { kind: "server", status: 503, retryAfterSec: null }],
    [400, null, { error: { status: "INVALID_ARGUMENT", details: [{ reason: "API_KEY_INVALID" }] } }, { kind: "key_rejected", status: 400 }],
    [400, null, { error: { status: "INVALID_ARGUMENT" } }, { kind: "rejected", status: 400 }],
    [403, null, null, { kind: "key_rejected", status: 403 }],
  ])("Gemini %d (Retry-After %j) → %j", (status, retryAfter, body, expected) => {
    expect(classify(geminiAdapter, status, retryAfter, body, NOW)).toMatchObject(expected);
  });

  it.each([
    [200, { choices: [{ message: { role: "assistant", content: "hi" } }] }, { kind: "ok", text: "hi" }],
    [200, { choices: [{ message: { content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] } }] }, { kind: "ok", text: "ab" }],
    [200, { choices: [] }, { kind: "malformed" }],
    [401, { error: { code: 401, message: "No auth credentials found" } }, { kind: "key_rejected" }],
    [402, { error: { code: 402, message: "Insufficient credits" } }, { kind: "rejected", status: 402 }],
    [400, { error: { details: [{ reason: "API_KEY_INVALID" }] } }, { kind: "rejected", status: 400 }],
    [502, null, { kind: "server", status: 502 }],
  ])("OpenRouter %d → %j", (status, body, expected) => {
    expect(classify(openrouterAdapter, status, null, body, NOW)).toMatchObject(expected);
  });
});

describe("request builders", () => {
  const config = {
    defaultModel: "google/gemini-2.5-flash",
    geminiApiBase: "https://g.test",
    openrouterApiBase: "https://o.test",
    timeoutMs: 12000,
    retries: 2,
    circuitFailureThreshold: 5,
    circuitOpenMs: 30000,
    circuitRefreshMs: 5000,
  };

  it("leaves systemInstruction and responseMimeType out when not asked for", () => {
    const wire = geminiAdapter.buildRequest(config, "k", { parts: [{ text: "x" }], temperature: 0 });
    expect(wire.url).toBe("https://g.test/v1beta/models/gemini-2.5-flash:generateContent");
    expect(JSON.parse(wire.init.body)).toEqual({ contents: [{ role: "user", parts: [{ text: "x" }] }], generationConfig: { temperature: 0 } });
  });

  it("passes inline audio to Gemini as inlineData", () => {
    const wire = geminiAdapter.buildRequest(config, "k", { parts: [{ inlineData: { mimeType: "audio/webm", data: "AAAA" } }], temperature: 0 });
    expect(JSON.parse(wire.init.body).contents[0].parts).toEqual([{ inlineData: { mimeType: "audio/webm", data: "AAAA" } }]);
  });

  it("sends OpenRouter only a user message when there is no system text", () => {
    const wire = openrouterAdapter.buildRequest(config, "k", { parts: [{ text: "a" }, { text: "b" }], temperature: 0.3 });
    expect(wire.url).toBe("https://o.test/api/v1/chat/completions");
    expect(JSON.parse(wire.init.body)).toEqual({ model: "google/gemini-2.5-flash", messages: [{ role: "user", content: "a\n\nb" }], temperature: 0.3 });
  });
});
