import { err, ok, type Result } from "../result";
import { faultResponse, optionalInt, requiredInt } from "./params";
import { defineFault, type FaultContext, type FaultSpec } from "./types";

export interface StatusParams {
  status: number;
  /** Retry-After in seconds. */
  retryAfter?: number;
  /** Retry-After as an HTTP-date this many seconds from now. */
  retryAfterDate?: number;
  /** Body to send; default is the fake's real error body for the status. */
  body?: unknown;
  /** Extra response headers (e.g. another content-type); they win over the defaults. */
  headers?: Record<string, string>;
  /** false: answer without the request's x-request-id (a backend that does not echo it). Default true. */
  echoRequestId?: boolean;
}

/** A JSON error answer with an optional Retry-After (seconds or HTTP-date). */
export function answerWithStatus(params: StatusParams, ctx: FaultContext): Response {
  const headers = new Headers({ "content-type": "application/json; charset=utf-8" });
  if (params.retryAfter !== undefined) {
    headers.set("retry-after", String(params.retryAfter));
    ctx.retryAfterSent(params.retryAfter);
  } else if (params.retryAfterDate !== undefined) {
    headers.set("retry-after", new Date(ctx.now() + params.retryAfterDate * 1000).toUTCString());
    ctx.retryAfterSent(params.retryAfterDate);
  }
  const body = params.body === undefined ? ctx.errorBody(params.status) : params.body;
  const requestId = ctx.request.headers.get("x-request-id");
  if (requestId !== null && params.echoRequestId !== false) headers.set("x-request-id", requestId);
  for (const [name, value] of Object.entries(params.headers ?? {})) headers.set(name, value);
  return faultResponse(params.status, typeof body === "string" ? body : JSON.stringify(body), headers);
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function parseHeaders(spec: FaultSpec): Result<Record<string, string> | undefined> {
  const raw = spec.headers;
  if (raw === undefined) return ok(undefined);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return err(`${spec.kind}.headers must be an object of header name → string value`);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!HEADER_NAME.test(name) || typeof value !== "string" || /[\r\n]/.test(value)) {
      return err(`${spec.kind}.headers["${name}"] must be a valid header name with a one-line string value`);
    }
    headers[name.toLowerCase()] = value;
  }
  return ok(headers);
}

export function parseStatusParams(spec: FaultSpec, fallbackStatus?: number): Result<StatusParams> {
  const code = spec.status === undefined && fallbackStatus !== undefined ? ok(fallbackStatus) : requiredInt(spec, "status", 200, 599);
  if (!code.ok) return code;
  const retryAfter = optionalInt(spec, "retryAfter", 0, 86_400);
  if (!retryAfter.ok) return retryAfter;
  const retryAfterDate = optionalInt(spec, "retryAfterDate", -86_400, 86_400);
  if (!retryAfterDate.ok) return retryAfterDate;
  if (retryAfter.value !== undefined && retryAfterDate.value !== undefined) {
    return err(`${spec.kind}: give retryAfter (seconds) or retryAfterDate (offset for an HTTP-date), not both`);
  }
  const params: StatusParams = { status: code.value };
  if (retryAfter.value !== undefined) params.retryAfter = retryAfter.value;
  if (retryAfterDate.value !== undefined) params.retryAfterDate = retryAfterDate.value;
  if (spec.body !== undefined) params.body = spec.body;
  const headers = parseHeaders(spec);
  if (!headers.ok) return headers;
  if (spec.echoRequestId !== undefined) {
    if (typeof spec.echoRequestId !== "boolean") return err(`${spec.kind}.echoRequestId must be true or false`);
    params.echoRequestId = spec.echoRequestId;
  }
  if (headers.value !== undefined) params.headers = headers.value;
  return ok(params);
}

/** "503 ×N then 200": answer with a status (use `times` for the burst), then pass through. */
export const status = defineFault<StatusParams>({
  kind: "status",
  description: "answer {status}, optional {retryAfter} s or {retryAfterDate} offset s, {body}, {headers}, {echoRequestId}; use {times} for a burst",
  parse: (spec) => parseStatusParams(spec),
  async apply(params, ctx) {
    return answerWithStatus(params, ctx);
  },
});
