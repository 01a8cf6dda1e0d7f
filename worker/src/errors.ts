/** Wire error codes (docs/api.md#error-envelope). Clients switch on these; never rename one. */
export const ERROR_STATUS = {
  AUTH_REQUIRED: 401,
  AUTH_EXPIRED: 403,
  AUTH_CONFIG_INVALID: 500,
  BAD_REQUEST: 400,
  RATE_LIMITED: 429,
  PROVIDER_UNAVAILABLE: 502,
  TIMEOUT: 504,
  NETWORK: 503,
  SERVICE_UNAVAILABLE: 503,
  CONFIG_ERROR: 500,
  PAYLOAD_TOO_LARGE: 413,
  NOT_FOUND: 404,
  INTERNAL_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** `error.cause` values the PocketBrain client understands (docs/api.md#metrics failureCauses). */
export const UPSTREAM_CAUSES = [
  "origin_unconfigured",
  "timeout",
  "network_error",
  "upstream_5xx",
  "circuit_open",
  "kv_unavailable",
] as const;
export const PROVIDER_CAUSES = [
  "provider_timeout",
  "provider_5xx",
  "provider_circuit_open",
  "provider_network_error",
] as const;
export type UpstreamCause = (typeof UPSTREAM_CAUSES)[number];
export type ProviderCause = (typeof PROVIDER_CAUSES)[number];
export type FailureCause = UpstreamCause | ProviderCause;
export const FAILURE_CAUSES: readonly FailureCause[] = [...UPSTREAM_CAUSES, ...PROVIDER_CAUSES];

export interface ApiErrorInit {
  status?: number;
  retryable?: boolean;
  cause?: FailureCause;
  retryAfterSec?: number;
  /** Reason for logs and metrics only; never sent to the client. */
  internal?: string;
}

/** The one error type of the Worker: a coded failure that becomes the JSON envelope. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly failureCause: FailureCause | undefined;
  readonly retryAfterSec: number | undefined;
  readonly internal: string | undefined;

  constructor(code: ErrorCode, message: string, init: ApiErrorInit = {}) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = init.status ?? ERROR_STATUS[code];
    this.failureCause = init.cause;
    this.internal = init.internal;
    const defaultRetryable = this.status === 429 || this.status === 503 || this.status === 504;
    this.retryable = init.retryable ?? defaultRetryable;
    this.retryAfterSec =
      init.retryAfterSec !== undefined
        ? normalizeRetryAfter(init.retryAfterSec)
        : this.retryable && isRetryAfterStatus(this.status)
          ? 5
          : undefined;
  }
}

export function isRetryAfterStatus(status: number): boolean {
  return status === 429 || status === 503 || status === 504;
}

/** Retry-After on the wire is an integer number of seconds, at least 1. */
export function normalizeRetryAfter(seconds: number): number {
  if (!Number.isFinite(seconds)) return 1;
  return Math.max(1, Math.ceil(seconds));
}

export const isApiError = (value: unknown): value is ApiError => value instanceof ApiError;

export const badRequest = (message: string, status = 400): ApiError =>
  new ApiError("BAD_REQUEST", message, { status });
