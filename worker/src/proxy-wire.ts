import { SESSION_COOKIE, setCookieName, withoutCookie } from "./cookies";

/**
 * The wire rules of the /api/v2 passthrough (docs/api.md): which request headers and cookies go
 * upstream, which response cookies come back, which paths are refused, the client's own budget.
 * Pure and allocation-light: this runs on every passthrough request.
 */

/** Request headers the backend may see; everything else (client cookies, CF headers) stays here. */
const FORWARDED_HEADERS = ["authorization", "x-device-id", "content-type", "accept", "cache-control", "idempotency-key"];
const EVENTS_PATH = "/api/v2/events";

/**
 * The least a client's own `x-timeout-ms` budget can be. Below a round trip to the backend a budget
 * only manufactures timeouts; 1000 ms is also the floor of VPS_PROXY_TIMEOUT_MS.
 */
export const CLIENT_BUDGET_FLOOR_MS = 1000;
/** Backend cookies the browser may receive through /api/v2 (the SSE ticket); never pb_ai_session. */
const BACKEND_COOKIE_NAMES: ReadonlySet<string> = new Set(["pb_stream_ticket"]);
export const ENCODED_PATH_MESSAGE = "The request path must not contain an encoded '/', '\\' or '.' (%2F, %5C, %2E).";

export const isEventsPath = (pathname: string): boolean => pathname === EVENTS_PATH || pathname.startsWith(`${EVENTS_PATH}/`);

/** Allow-listed headers; the cookie only on events paths (the SSE ticket), never pb_ai_session. */
export function buildUpstreamHeaders(request: Request, pathname: string, requestId: string): Headers {
  const headers = new Headers();
  for (const name of FORWARDED_HEADERS) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  headers.set("x-request-id", requestId);
  if (isEventsPath(pathname)) {
    // Every copy of the Worker's own session cookie is dropped; null when nothing is left.
    const cookie = withoutCookie(request.headers.get("cookie"), SESSION_COOKIE);
    if (cookie) headers.set("cookie", cookie);
  }
  return headers;
}

const DIGITS = /^\d{1,9}$/;

/** The client's own budget (`x-timeout-ms`), when it sent a sane one, never below the floor. */
export function clientTimeoutMs(request: Request): number | null {
  const raw = request.headers.get("x-timeout-ms")?.trim();
  if (!raw || !DIGITS.test(raw)) return null;
  return Math.max(CLIENT_BUDGET_FLOOR_MS, Number(raw));
}

/**
 * True when the path carries an encoded '/', '\\' or '.' (any case). The backend might decode it
 * into a different path than the one routed here (`..%2f` escaping /api/v2, or reaching the
 * events-only cookie rule). One indexOf scan, no regex, no allocation.
 */
export function hasEncodedSeparator(pathname: string): boolean {
  for (let at = pathname.indexOf("%"); at !== -1; at = pathname.indexOf("%", at + 1)) {
    const high = pathname.charCodeAt(at + 1);
    const low = pathname.charCodeAt(at + 2) | 0x20;
    if (high === 0x32 && (low === 0x66 || low === 0x65)) return true;
    if (high === 0x35 && low === 0x63) return true;
  }
  return false;
}

/**
 * Passes the upstream response through untouched, plus our request id when the backend did not
 * echo it. Backend Set-Cookie lines survive only for the backend's own cookie names: a backend (or
 * whoever controls it) must never set pb_ai_session or any other cookie on the app's origin.
 */
export function passthrough(response: Response, requestId: string): Response {
  const hasRequestId = response.headers.has("x-request-id");
  const hasCookies = response.headers.has("set-cookie");
  if (hasRequestId && !hasCookies) return response;
  const headers = new Headers(response.headers);
  if (!hasRequestId) headers.set("X-Request-Id", requestId);
  if (hasCookies) {
    const kept = response.headers.getSetCookie().filter((line) => BACKEND_COOKIE_NAMES.has(setCookieName(line)));
    headers.delete("set-cookie");
    for (const line of kept) headers.append("Set-Cookie", line);
  }
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
