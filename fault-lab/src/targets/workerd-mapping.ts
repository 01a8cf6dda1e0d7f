import type { FaultSpec } from "../faults/types";

/**
 * How a generated schedule (written for the Worker's default windows: 7 s v2 timeout, 20 s open
 * window, 12 s provider timeout) becomes real traffic on workerd with 1 s windows. Pure: the
 * workerd target scales each wait, path and fault with it; the unit test checks it.
 */

/**
 * Short windows for the whole workerd run (`--var` and then a schedule's own workerVars are merged
 * over these). Note the open window (1 s) is shorter than a request's whole deadline (2 × timeout),
 * unlike the defaults (20 s > 2 × 7 s): retries of requests admitted before the circuit opened can
 * land in the next half-open window — a state the in-process explorer cannot reach (docs/explorer.md).
 */
export const WORKERD_BASE_VARS: Readonly<Record<string, string>> = {
  VPS_PROXY_TIMEOUT_MS: "1000",
  VPS_PROXY_CIRCUIT_OPEN_MS: "1000",
  VPS_PROXY_RETRIES: "1",
  PROVIDER_TIMEOUT_MS: "800",
  PROVIDER_CIRCUIT_OPEN_MS: "1000",
  PROVIDER_CIRCUIT_REFRESH_MS: "250",
  PROVIDER_RETRIES: "1",
  RATE_LIMIT_WINDOW_MS: "1000",
};

/** The defaults the generators were written around (worker/src/config.ts fallbacks). */
export const GENERATED_FOR = { vpsTimeoutMs: 7_000, vpsOpenMs: 20_000, providerTimeoutMs: 12_000 } as const;

export interface TimeScale {
  vpsTimeoutMs: number;
  vpsOpenMs: number;
  providerTimeoutMs: number;
}

export const WORKERD_SCALE: TimeScale = {
  vpsTimeoutMs: Number(WORKERD_BASE_VARS.VPS_PROXY_TIMEOUT_MS),
  vpsOpenMs: Number(WORKERD_BASE_VARS.VPS_PROXY_CIRCUIT_OPEN_MS),
  providerTimeoutMs: Number(WORKERD_BASE_VARS.PROVIDER_TIMEOUT_MS),
};

/** No real gap is longer than this many open windows: past the window every gap means "long after". */
export const MAX_GAP_WINDOWS = 1.1;

/**
 * A provider Retry-After the Worker honours (≤ 10 s) would be slept for real before a retry; it
 * becomes 1 s. A longer one is not honoured (the error goes back at once) and stays > 10 s.
 */
const PROVIDER_HONOURED_RETRY_AFTER_SEC = 10;

const scaled = (ms: number, from: number, to: number): number => Math.max(1, Math.round((ms * to) / from));

/** Gaps were drawn around the 20 s open window (19, 20, 21 s…): same position relative to the real window. */
export function scaleWait(ms: number, scale: TimeScale = WORKERD_SCALE): number {
  return Math.min(scaled(ms, GENERATED_FOR.vpsOpenMs, scale.vpsOpenMs), Math.round(scale.vpsOpenMs * MAX_GAP_WINDOWS));
}

/** SSE interval in a path: same length relative to the v2 timeout (a 12 s stream still outlives it). */
export function scalePath(path: string, scale: TimeScale = WORKERD_SCALE): string {
  return path.replace(/([?&]intervalMs=)(\d+)/, (_match, prefix: string, ms: string) => `${prefix}${scaled(Number(ms), GENERATED_FOR.vpsTimeoutMs, scale.vpsTimeoutMs)}`);
}

/** The fake backend's defaults for `/api/v2/events` (fault-lab/src/fakes/backend.ts). */
const SSE_DEFAULTS = { events: 3, intervalMs: 100 };
/** Slack over a stream's own length before a client gives up on it. */
export const STREAM_SLACK_MS = 1_000;

/**
 * How long a client reads an SSE answer before giving up: the stream's own length (events ×
 * interval, from the path) plus slack. Only a stalled stream ever reaches it.
 */
export function streamLimitMs(path: string): number {
  const query = new URLSearchParams(path.split("?")[1] ?? "");
  const read = (name: keyof typeof SSE_DEFAULTS) => (/^\d+$/.test(query.get(name) ?? "") ? Number(query.get(name)) : SSE_DEFAULTS[name]);
  return read("events") * read("intervalMs") + STREAM_SLACK_MS;
}

/** Time parameters of one fault, scaled to the server's real timeout; everything else unchanged. */
export function scaleFault(fault: FaultSpec, server: string | undefined, scale: TimeScale = WORKERD_SCALE): FaultSpec {
  const isProvider = server === "gemini" || server === "openrouter";
  const [from, to] = isProvider ? [GENERATED_FOR.providerTimeoutMs, scale.providerTimeoutMs] : [GENERATED_FOR.vpsTimeoutMs, scale.vpsTimeoutMs];
  const copy: FaultSpec = { ...fault };
  if ((fault.kind === "hang" || fault.kind === "latency") && typeof fault.ms === "number") copy.ms = scaled(fault.ms, from, to);
  if (isProvider && fault.kind === "status" && typeof fault.retryAfter === "number") {
    copy.retryAfter = fault.retryAfter <= PROVIDER_HONOURED_RETRY_AFTER_SEC ? 1 : PROVIDER_HONOURED_RETRY_AFTER_SEC + 1;
  }
  return copy;
}

/**
 * Retry-After as the fake sent it, in seconds: a number, or an HTTP-date's offset from `nowMs`
 * (rounded up: the date was written as now + whole seconds, then truncated to the second).
 */
export function retryAfterSeconds(header: string | undefined, nowMs: number): number | null {
  if (header === undefined) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - nowMs) / 1000));
}
