import { ApiError, isRetryAfterStatus } from "./errors";

/** Baseline headers on every response the Worker builds itself (docs/api.md#error-envelope). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
};

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Echo a sane incoming X-Request-Id, else mint one. */
export function resolveRequestId(request: Request, mint: () => string = () => crypto.randomUUID()): string {
  const incoming = request.headers.get("x-request-id")?.trim();
  return incoming && SANE_REQUEST_ID.test(incoming) ? incoming : mint();
}

export function withStandardHeaders(headers: Headers, requestId: string): Headers {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers.set(name, value);
  headers.set("X-Request-Id", requestId);
  return headers;
}

export function jsonResponse(body: unknown, requestId: string, init: { status?: number; headers?: HeadersInit } = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("Content-Type", "application/json");
  headers.set("Cache-Control", "no-store");
  withStandardHeaders(headers, requestId);
  return new Response(JSON.stringify(body), { status: init.status ?? 200, headers });
}

export interface ErrorEnvelope {
  error: { code: string; message: string; retryable: boolean; cause?: string; requestId: string };
}

/** The one place an ApiError becomes the wire envelope; `internal` never leaves. */
export function errorResponse(error: ApiError, requestId: string, extraHeaders?: HeadersInit): Response {
  const body: ErrorEnvelope = {
    error: {
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      ...(error.failureCause ? { cause: error.failureCause } : {}),
      requestId,
    },
  };
  const headers = new Headers(extraHeaders);
  if (error.retryAfterSec !== undefined && (error.retryable || isRetryAfterStatus(error.status))) {
    headers.set("Retry-After", String(error.retryAfterSec));
  }
  return jsonResponse(body, requestId, { status: error.status, headers });
}

export function emptyResponse(status: number, requestId: string, headers?: HeadersInit): Response {
  return new Response(null, { status, headers: withStandardHeaders(new Headers(headers), requestId) });
}
