import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DIAGNOSTICS_LOGIC_JS } from "../src/dev/logic";

interface Failure {
  status: number;
  code: string;
  cause: string | null;
  message: string;
  retryable: boolean;
  requestId: string | null;
  retryAfterSec: number | null;
  notice: string | null;
  countdown: boolean;
}
interface CircuitLabel {
  state: string;
  remainingSec: number | null;
  label: string;
}
interface Logic {
  AI_ACTIONS: string[];
  sampleInput(action: string, nowMs: number): Record<string, unknown>;
  parseRetryAfter(header: string | null, nowMs: number): number | null;
  describeFailure(status: number, body: unknown, retryAfter: string | null, nowMs: number): Failure;
  describeCircuit(view: unknown): CircuitLabel;
  describeAuth(status: unknown): { connected: boolean; label: string };
  secondsLeft(endMs: number, nowMs: number): number;
}

/** Evaluates exactly the source text the browser receives. */
const logic = new Function(
  `${DIAGNOSTICS_LOGIC_JS}\nreturn { AI_ACTIONS, sampleInput, parseRetryAfter, describeFailure, describeCircuit, describeAuth, secondsLeft };`,
)() as Logic;

const NOW = Date.UTC(2026, 10, 20, 9, 30, 0);
const envelope = (code: string, cause?: string) => ({
  error: { code, message: `${code} message`, retryable: true, ...(cause ? { cause } : {}), requestId: "req-12345678" },
});

describe("diagnostics page logic (the shipped browser source)", () => {
  it("offers the six AI actions, each with a JSON sample body", () => {
    expect(logic.AI_ACTIONS).toEqual(["analyze", "batch", "cleanup", "transcribe", "search", "daily-brief"]);
    for (const action of logic.AI_ACTIONS) expect(Object.keys(logic.sampleInput(action, NOW)).length).toBeGreaterThan(0);
    expect(logic.sampleInput("transcribe", NOW).mimeType).toMatch(/^audio\//);
  });

  it("gives daily-brief a note due today, so the sample triggers a provider call", () => {
    const notes = logic.sampleInput("daily-brief", NOW).notes as { dueDate?: string }[];
    expect(notes.some((note) => note.dueDate === "2026-11-20")).toBe(true);
  });

  it.each([
    [null, null],
    ["7", 7],
    [" 20 ", 20],
    ["0", 0],
    ["soon", null],
    [new Date(NOW + 12_300).toUTCString(), 12],
    [new Date(NOW - 60_000).toUTCString(), 0],
  ])("reads Retry-After %j as %j seconds", (header, expected) => {
    expect(logic.parseRetryAfter(header, NOW)).toBe(expected);
  });

  it("says to reconnect when the session expired", () => {
    const failure = logic.describeFailure(403, envelope("AUTH_EXPIRED"), null, NOW);
    expect(failure).toMatchObject({ code: "AUTH_EXPIRED", notice: "Session expired — reconnect your key", countdown: false });
  });

  it("shows code, cause, message and Retry-After, with a countdown only for an open circuit", () => {
    const open = logic.describeFailure(503, envelope("SERVICE_UNAVAILABLE", "circuit_open"), "17", NOW);
    expect(open).toMatchObject({ code: "SERVICE_UNAVAILABLE", cause: "circuit_open", message: "SERVICE_UNAVAILABLE message", retryAfterSec: 17, countdown: true });
    const providerOpen = logic.describeFailure(503, envelope("PROVIDER_UNAVAILABLE", "provider_circuit_open"), "30", NOW);
    expect(providerOpen.countdown).toBe(true);
    const burst = logic.describeFailure(503, envelope("SERVICE_UNAVAILABLE", "upstream_5xx"), "20", NOW);
    expect(burst).toMatchObject({ cause: "upstream_5xx", retryAfterSec: 20, countdown: false, notice: null });
  });

  it("still describes a response that is not the error envelope", () => {
    expect(logic.describeFailure(502, "<html>bad gateway</html>", null, NOW)).toMatchObject({
      code: "HTTP_502",
      cause: null,
      message: "Request failed with HTTP 502",
      requestId: null,
    });
  });

  it.each([
    [{ state: "closed", open: false, openUntil: null, remainingMs: 0 }, "closed", null, "closed"],
    [{ state: "open", open: true, openUntil: NOW + 19_001, remainingMs: 19_001 }, "open", 20, "open — 20 s left"],
    [{ state: "open", open: true, openUntil: NOW + 3000, remainingMs: 3000 }, "open", 3, "open — 3 s left"],
    [{ state: "half-open", open: false, openUntil: null, remainingMs: 0 }, "half-open", 0, "half-open — next call is the probe"],
    [undefined, "unknown", null, "unknown"],
  ])("labels the breaker view %j as %s", (view, state, remainingSec, label) => {
    expect(logic.describeCircuit(view)).toEqual({ state, remainingSec, label });
  });

  it("never shows negative or fractional seconds for an open circuit", () => {
    fc.assert(
      fc.property(fc.integer({ min: -5000, max: 200_000 }), (remainingMs) => {
        const { remainingSec } = logic.describeCircuit({ state: "open", remainingMs });
        expect(Number.isInteger(remainingSec)).toBe(true);
        expect(remainingSec).toBeGreaterThanOrEqual(0);
        expect(remainingSec! * 1000).toBeGreaterThanOrEqual(remainingMs);
      }),
    );
  });

  it("counts down to zero and stays there", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 120_000 }), fc.integer({ min: 0, max: 240_000 }), (durationMs, elapsedMs) => {
        const left = logic.secondsLeft(NOW + durationMs, NOW + elapsedMs);
        expect(left).toBeGreaterThanOrEqual(0);
        expect(left).toBe(Math.max(0, Math.ceil((durationMs - elapsedMs) / 1000)));
      }),
    );
  });

  it("describes device and account auth status", () => {
    expect(logic.describeAuth({ connected: false, scope: "device" })).toEqual({ connected: false, label: "Not connected (device scope)" });
    const device = logic.describeAuth({ connected: true, provider: "gemini", scope: "device", expiresAt: NOW + 86_400_000 });
    expect(device).toEqual({ connected: true, label: "Connected · gemini · device scope · expires 2026-11-21T09:30:00.000Z" });
    expect(logic.describeAuth({ connected: true, provider: "openrouter", scope: "account" }).label).toBe("Connected · openrouter · account scope");
  });
});
