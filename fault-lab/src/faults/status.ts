import { err, ok, type Result } from "../result";
import { optionalInt, requiredInt } from "./params";
import { defineFault, type FaultContext, type FaultSpec } from "./types";

export interface StatusParams {
  status: number;
  /** Retry-After in seconds. */
  retryAfter?: number;
  /** Retry-After as an HTTP-date this many seconds from now. */
  retryAfterDate?: number;
  /** Body to send; default is the fake's real error body for the status. */
  body?: unknown;
}

/** Writes a JSON error answer with an optional Retry-After (seconds or HTTP-date). */
export function answerWithStatus(params: StatusParams, ctx: FaultContext): void {
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
  if (params.retryAfter !== undefined) headers["retry-after"] = String(params.retryAfter);
  else if (params.retryAfterDate !== undefined) {
    headers["retry-after"] = new Date(ctx.now() + params.retryAfterDate * 1000).toUTCString();
  }
  const body = params.body === undefined ? ctx.errorBody(params.status) : params.body;
  const requestId = ctx.req.headers["x-request-id"];
  if (typeof requestId === "string") headers["x-request-id"] = requestId;
  ctx.res.writeHead(params.status, headers);
  ctx.res.end(typeof body === "string" ? body : JSON.stringify(body));
}

export function parseStatusParams(spec: FaultSpec, fallbackStatus?: number): Result<StatusParams> {
  const code = spec.status === undefined && fallbackStatus !== undefined ? ok(fallbackStatus) : requiredInt(spec, "status", 100, 599);
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
  return ok(params);
}

/** "503 ×N then 200": answer with a status (use `times` for the burst), then pass through. */
export const status = defineFault<StatusParams>({
  kind: "status",
  description: "answer {status}, optional {retryAfter} s or {retryAfterDate} offset s, {body}; use {times} for a burst",
  parse: (spec) => parseStatusParams(spec),
  async apply(params, ctx) {
    answerWithStatus(params, ctx);
    return "handled";
  },
});
