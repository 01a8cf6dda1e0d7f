/**
 * `Retry-After` (RFC 9110 §10.2.3) as whole seconds from `nowMs`: delay-seconds or an HTTP-date.
 * Pure; shared by the provider client and the /api/v2 passthrough.
 */

/** Upper bound so a hostile or broken header can never produce an absurd wait. */
export const MAX_RETRY_AFTER_SECONDS = 365 * 24 * 60 * 60;

const DELAY_SECONDS = /^\d+(\.\d+)?$/;
/** IMF-fixdate, RFC 850 and asctime all start with a day name; Date.parse accepts far more than that. */
const HTTP_DATE_START = /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s/i;

/** Seconds to wait (integer ≥ 0, never NaN), or null when the value is absent or unparseable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (text === "") return null;
  if (DELAY_SECONDS.test(text)) return clampSeconds(Number(text));
  if (!HTTP_DATE_START.test(text) || !Number.isFinite(nowMs)) return null;
  const dateMs = Date.parse(text);
  if (!Number.isFinite(dateMs)) return null;
  return clampSeconds((dateMs - nowMs) / 1000);
}

function clampSeconds(seconds: number): number {
  if (!Number.isFinite(seconds)) return MAX_RETRY_AFTER_SECONDS;
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(0, Math.ceil(seconds)));
}
