import { fullJitterDelay } from "../backoff";
import { ApiError } from "../errors";
import type { ProviderName } from "../types";
import type { AttemptOutcome } from "./types";

/** Full-jitter exponential backoff (base 250 ms, cap 4 s) between provider attempts. */
export const BACKOFF_BASE_MS = 250;
export const BACKOFF_CAP_MS = 4000;
/**
 * A provider Retry-After is the backoff floor, but only up to 10 s: a longer hint would hold the
 * client's request open, so the error goes back at once carrying that Retry-After instead.
 */
export const RETRY_AFTER_FLOOR_CAP_SEC = 10;
/** Retry-After on retryable errors when the provider gave none (SPEC §3.6). */
export const DEFAULT_RETRY_AFTER_SEC = 5;

export type FailedOutcome = Exclude<AttemptOutcome, { kind: "ok" }>;
export type RetryDecision = { retry: true; delayMs: number } | { retry: false };

export function isRetryable(outcome: FailedOutcome): boolean {
  return outcome.kind === "timeout" || outcome.kind === "network" || outcome.kind === "rate_limited" || outcome.kind === "server";
}

/**
 * What one attempt tells the shared provider breaker (docs/decisions/0003). Only provider-side
 * faults are failures: 5xx, timeouts and network errors. A verdict about one key (401/403 key
 * refused, 429 quota) is "neutral": it must never open the circuit for every other user, and it
 * must not close the streak of a real outage either. Any other answer shows the provider is up.
 */
export type BreakerVerdict = "success" | "failure" | "neutral";

export function breakerVerdict(outcome: AttemptOutcome): BreakerVerdict {
  switch (outcome.kind) {
    case "timeout":
    case "network":
    case "server":
      return "failure";
    case "key_rejected":
    case "rate_limited":
    case "unsendable":
      return "neutral";
    case "ok":
    case "rejected":
    case "malformed":
      return "success";
  }
}

export const backoffDelayMs = (retryIndex: number, rng: () => number): number =>
  fullJitterDelay(retryIndex, { baseMs: BACKOFF_BASE_MS, capMs: BACKOFF_CAP_MS }, rng);

const retryHint = (outcome: FailedOutcome): number | null =>
  outcome.kind === "rate_limited" || outcome.kind === "server" ? outcome.retryAfterSec : null;

/** Decides whether to retry after `retriesDone` retries and how long to wait first. Pure. */
export function decideRetry(outcome: FailedOutcome, retriesDone: number, maxRetries: number, rng: () => number): RetryDecision {
  if (!isRetryable(outcome) || retriesDone >= maxRetries) return { retry: false };
  const hint = retryHint(outcome);
  if (hint !== null && hint > RETRY_AFTER_FLOOR_CAP_SEC) return { retry: false };
  return { retry: true, delayMs: Math.max((hint ?? 0) * 1000, backoffDelayMs(retriesDone, rng)) };
}

const PROVIDER_LABEL: Record<ProviderName, string> = { gemini: "Gemini", openrouter: "OpenRouter" };

/**
 * The final wire error for a failed provider call (docs/api.md, AI providers), with the original worker's messages
 * where they carry no provider text. Messages never echo provider bodies (they may echo the key).
 */
export function outcomeToError(outcome: FailedOutcome, provider?: ProviderName): ApiError {
  switch (outcome.kind) {
    case "timeout":
      return new ApiError("TIMEOUT", "Provider request timed out", { cause: "provider_timeout", retryAfterSec: DEFAULT_RETRY_AFTER_SEC });
    case "network":
      return new ApiError("NETWORK", `Network error while contacting ${provider ? PROVIDER_LABEL[provider] : "the AI provider"}`, { cause: "provider_network_error", retryAfterSec: DEFAULT_RETRY_AFTER_SEC });
    case "rate_limited":
      return new ApiError("RATE_LIMITED", "The AI provider is rate limiting this key. Try again shortly.", {
        retryAfterSec: outcome.retryAfterSec ?? DEFAULT_RETRY_AFTER_SEC,
      });
    case "server":
      return new ApiError("PROVIDER_UNAVAILABLE", "The AI provider is unavailable right now.", {
        status: outcome.status,
        cause: "provider_5xx",
        retryable: true,
        retryAfterSec: outcome.retryAfterSec ?? DEFAULT_RETRY_AFTER_SEC,
      });
    case "key_rejected":
      return new ApiError("AUTH_REQUIRED", "The AI provider rejected the API key. Connect a valid key.", {
        internal: `provider refused the key (${outcome.status})`,
      });
    case "rejected":
      return new ApiError("PROVIDER_UNAVAILABLE", "The AI provider rejected the request.", {
        retryable: false,
        internal: `provider answered ${outcome.status}`,
      });
    case "malformed":
      return unreadableAnswer(outcome.reason);
    case "unsendable":
      return new ApiError("AUTH_REQUIRED", "The stored API key cannot be used. Reconnect your key.", {
        internal: "provider request refused before sending (invalid header value)",
      });
  }
}

/** 502 for provider output that cannot be used (no text, or no JSON where JSON is expected). */
export function unreadableAnswer(reason: string): ApiError {
  // Retryable, as the original worker's 502s: a model asked again usually answers in shape.
  return new ApiError("PROVIDER_UNAVAILABLE", "The AI provider returned an unreadable answer.", { retryable: true, internal: reason });
}
