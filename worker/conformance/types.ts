/**
 * The conformance suite's vocabulary. A case is data: what to set up, one request, what docs/api.md
 * says must come back. Two thin runners (plain Node and workerd) execute the same table.
 */

export type RunnerName = "node" | "workerd";

/**
 * A lab `status` fault (fault-lab/src/faults/status.ts): answer `status`, with the fake's real error
 * body unless `body` (sent verbatim) is given; `headers` win over the fault's JSON content-type.
 */
export type StatusFault = { kind: "status"; status: number; retryAfter?: number; body?: string; headers?: Record<string, string> };

/**
 * How the fake providers answer every call made during one step: `{text}` is the model's reply, in
 * each provider's wire format; otherwise a lab fault (a `status`, or a `hang` until the Worker's
 * attempt timeout).
 */
export type ProviderReply = { text: string } | StatusFault | { kind: "hang" };

/** How the fake backend behind VPS_API_ORIGIN answers every /api/v2 attempt of one step: a lab fault (`reset`: a network error). */
export type BackendReply = StatusFault | { kind: "reset" };

export interface RequestSpec {
  /** Defaults to POST when a body is given, else GET. */
  method?: string;
  /** Absolute URL: the host decides loopback rules and the cookie's Secure attribute. */
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON with `Content-Type: application/json` unless `headers` sets another type. */
  json?: unknown;
  /** Sent verbatim (invalid JSON, oversized bodies, empty bodies). */
  rawBody?: string;
  /** The body is a stream that fails after its first chunk (a client aborting its upload). */
  failingBody?: boolean;
  /** Attach the last device session cookie a previous step received (kept even after a clear). */
  session?: boolean;
  /** undefined: the runner sends a sane id and expects it echoed; null: none sent; string: sent as is. */
  requestId?: string | null;
}

export interface Step {
  request: RequestSpec;
  provider?: ProviderReply;
  /** How the fake backend answers /api/v2 attempts of this step. */
  backend?: BackendReply;
  /** Send the same request this many times (rate-limit set-ups). */
  repeat?: number;
  /** Every response of the step must have this status (set-up failures are loud, not silent). */
  status: number;
}

/** A cookie as a browser would store it: value plus its attribute set (order-insensitive). */
export interface CookieExpectation {
  value: "uuid" | "";
  attributes: string[];
}

export interface ErrorExpectation {
  /** Omitted where docs/api.md names only the status (the 403 Origin refusal). */
  code?: string;
  cause?: string;
  retryable?: boolean;
  /** Exact message, or a pattern it must match. */
  message?: string | RegExp;
}

export interface BackendExpectation {
  calls: number;
  /** Headers of the last upstream request; null means the header must be absent. */
  headers?: Record<string, string | null>;
  /** Path + query the backend saw on its last request. */
  pathAndQuery?: string;
  /** The upstream x-request-id equals the X-Request-Id the client got back. */
  requestIdMatchesResponse?: boolean;
}

export interface Expectation {
  status: number;
  /**
   * What the body is. "json" (default): a Worker-built JSON response with the docs/api.md#error-envelope headers;
   * "empty": no body; "text": a text body matched by `text`; "passthrough": the backend's response,
   * compared by `rawBody`.
   */
  kind?: "json" | "empty" | "text" | "passthrough";
  /** JSON body, compared with toEqual (vitest asymmetric matchers allowed). */
  json?: unknown;
  error?: ErrorExpectation;
  text?: RegExp[];
  rawBody?: string;
  contentType?: RegExp;
  /** Response headers; null means absent, a RegExp must match. */
  headers?: Record<string, string | RegExp | null>;
  /** `pb_ai_session` Set-Cookie; null means no Set-Cookie at all. */
  cookie?: CookieExpectation | null;
  /** How the X-Request-Id was produced; defaults follow `request.requestId`. */
  requestId?: "echo" | "generated";
  /** Provider calls made by the request itself (set-up calls excluded). */
  providerCalls?: number;
  backend?: BackendExpectation;
  /** After the request, every value in AI_SESSIONS is free of these plaintext strings. */
  kvFreeOf?: string[];
  /** Fetches the case's JWKS endpoint received, set-up steps included. */
  jwksFetches?: number;
}

export interface ConformanceCase {
  name: string;
  /** Where the expectation is documented (a docs/api.md anchor, or the issue it comes from): grouping and traceability. */
  spec: string;
  /** Runners that can express this case; both by default. */
  runners?: readonly RunnerName[];
  /** Per-request env overrides (the workerd runner then calls the Worker's handler with that env). */
  env?: Record<string, string>;
  /** The main request sees a KV binding whose every operation throws. */
  kvOutage?: boolean;
  /** A JWKS endpoint (for every step and the main request) that answers this status with no key set. */
  jwks?: { url: string; status: number };
  setup?: Step[];
  provider?: ProviderReply;
  backend?: BackendReply;
  request: RequestSpec;
  expect: Expectation;
}
