import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BACKOFF_CAP_MS, breakerVerdict, decideRetry, outcomeToError, RETRY_AFTER_FLOOR_CAP_SEC, type FailedOutcome } from "./retry-policy";

const retryable: FailedOutcome[] = [
  { kind: "timeout" },
  { kind: "network" },
  { kind: "rate_limited", retryAfterSec: null },
  { kind: "server", status: 503, retryAfterSec: null },
];
const final: FailedOutcome[] = [
  { kind: "key_rejected", status: 401 },
  { kind: "rejected", status: 400 },
  { kind: "malformed", reason: "no text" },
];

describe("decideRetry", () => {
  it.each(retryable)("retries $kind while retries remain", (outcome) => {
    expect(decideRetry(outcome, 0, 2, () => 0.5).retry).toBe(true);
    expect(decideRetry(outcome, 2, 2, () => 0.5).retry).toBe(false);
  });

  it.each(final)("never retries $kind", (outcome) => {
    expect(decideRetry(outcome, 0, 5, () => 0.5)).toEqual({ retry: false });
  });

  it("waits at least the provider's Retry-After, and refuses to wait past the floor cap", () => {
    expect(decideRetry({ kind: "rate_limited", retryAfterSec: 4 }, 0, 2, () => 0)).toEqual({ retry: true, delayMs: 4000 });
    expect(decideRetry({ kind: "server", status: 503, retryAfterSec: RETRY_AFTER_FLOOR_CAP_SEC + 1 }, 0, 2, () => 0)).toEqual({ retry: false });
  });

  it("keeps every delay within [floor, max(floor, cap)] for any draw", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...retryable),
        fc.integer({ min: 0, max: 10 }),
        fc.option(fc.integer({ min: 0, max: RETRY_AFTER_FLOOR_CAP_SEC })),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (base, retriesDone, hint, draw) => {
          const outcome = base.kind === "rate_limited" || base.kind === "server" ? { ...base, retryAfterSec: hint } : base;
          const decision = decideRetry(outcome, retriesDone, 10, () => draw);
          if (retriesDone >= 10) {
            expect(decision.retry).toBe(false);
            return;
          }
          if (!decision.retry) throw new Error("expected a retry");
          const floor = outcome.kind === "rate_limited" || outcome.kind === "server" ? (outcome.retryAfterSec ?? 0) * 1000 : 0;
          expect(decision.delayMs).toBeGreaterThanOrEqual(floor);
          expect(decision.delayMs).toBeLessThanOrEqual(Math.max(floor, BACKOFF_CAP_MS));
        },
      ),
    );
  });
});

describe("outcomeToError", () => {
  it.each([
    [{ kind: "timeout" }, { code: "TIMEOUT", status: 504, failureCause: "provider_timeout", retryable: true, retryAfterSec: 5 }],
    [{ kind: "network" }, { code: "NETWORK", status: 503, failureCause: "provider_network_error", retryable: true, retryAfterSec: 5 }],
    [{ kind: "rate_limited", retryAfterSec: null }, { code: "RATE_LIMITED", status: 429, retryable: true, retryAfterSec: 5 }],
    [{ kind: "rate_limited", retryAfterSec: 30 }, { code: "RATE_LIMITED", status: 429, retryable: true, retryAfterSec: 30 }],
    [{ kind: "server", status: 502, retryAfterSec: null }, { code: "PROVIDER_UNAVAILABLE", status: 502, failureCause: "provider_5xx", retryable: true, retryAfterSec: 5 }],
    [{ kind: "server", status: 500, retryAfterSec: 9 }, { code: "PROVIDER_UNAVAILABLE", status: 500, failureCause: "provider_5xx", retryable: true, retryAfterSec: 9 }],
    [{ kind: "key_rejected", status: 403 }, { code: "AUTH_REQUIRED", status: 401, retryable: false, failureCause: undefined }],
    [{ kind: "rejected", status: 422 }, { code: "PROVIDER_UNAVAILABLE", status: 502, retryable: false, failureCause: undefined, retryAfterSec: undefined }],
    [{ kind: "malformed", reason: "x" }, { code: "PROVIDER_UNAVAILABLE", status: 502, retryable: true, failureCause: undefined, retryAfterSec: undefined }],
  ] as [FailedOutcome, object][])("maps %j", (outcome, expected) => {
    expect(outcomeToError(outcome)).toMatchObject(expected);
  });

  it("counts only provider-side faults as breaker failures; one key's 401/403/429 is neutral", () => {
    expect(retryable.map(breakerVerdict)).toEqual(["failure", "failure", "neutral", "failure"]);
    expect(final.map(breakerVerdict)).toEqual(["neutral", "success", "success"]);
    expect(breakerVerdict({ kind: "key_rejected", status: 403 })).toBe("neutral");
    expect(breakerVerdict({ kind: "unsendable" })).toBe("neutral");
    expect(breakerVerdict({ kind: "ok", text: "x" })).toBe("success");
  });
  it("maps a request refused before sending to 401 AUTH_REQUIRED, never retried", () => {
    expect(outcomeToError({ kind: "unsendable" })).toMatchObject({ code: "AUTH_REQUIRED", status: 401, retryable: false, failureCause: undefined });
  });
});
