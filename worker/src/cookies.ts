/** Pure cookie parsing and serialisation (SPEC §3.3). No runtime access; the routes own the policy. */

export const SESSION_COOKIE = "pb_ai_session";

export interface CookieOptions {
  maxAge: number;
  path?: string;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: "Lax" | "Strict" | "None";
}

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/**
 * A session id as the original worker looked it up (any cookie value; it minted UUIDs), bounded so
 * `session:<id>` is always a sane KV key: 1–128 characters of URL-safe ASCII, never `.` or `..`.
 */
const SESSION_ID = /^[A-Za-z0-9._~:@+=-]{1,128}$/;

export const isCookieName = (name: string): boolean => COOKIE_NAME.test(name);

/** A device session id: the Worker mints UUIDs, and looks up any value of the original's shape. */
export const isSessionId = (value: string): boolean => SESSION_ID.test(value) && value !== "." && value !== "..";

function safeDecode(value: string): string {
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** One `name=value` pair of a Cookie header, in order; `raw` is the pair as sent (trimmed). */
export interface CookiePair {
  name: string;
  value: string;
  raw: string;
}

/** The Worker's one Cookie-header parser: every well-formed pair in order, duplicates kept. Never throws. */
export function cookiePairs(header: string | null | undefined): CookiePair[] {
  const pairs: CookiePair[] = [];
  if (!header) return pairs;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!isCookieName(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    pairs.push({ name, value: safeDecode(value), raw: part.trim() });
  }
  return pairs;
}

/** Parses a Cookie header into name → value (first occurrence wins, like browsers send them). Never throws. */
export function parseCookies(header: string | null | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of cookiePairs(header)) if (!cookies.has(pair.name)) cookies.set(pair.name, pair.value);
  return cookies;
}

export const readCookie = (header: string | null | undefined, name: string): string | undefined => parseCookies(header).get(name);

/**
 * The value of a cookie that must be unambiguous: undefined when it is absent **or sent more than
 * once**. Two `pb_ai_session` cookies mean a sibling domain planted one (cookie tossing), so the
 * request gets no session rather than whichever the browser listed first.
 */
export function readUniqueCookie(header: string | null | undefined, name: string): string | undefined {
  const values = cookiePairs(header).filter((pair) => pair.name === name);
  return values.length === 1 ? values[0]!.value : undefined;
}

/** The Cookie header without every `name` pair (e.g. the session cookie on upstream calls); null when nothing is left. */
export function withoutCookie(header: string | null | undefined, name: string): string | null {
  const kept = cookiePairs(header).filter((pair) => pair.name !== name);
  return kept.length > 0 ? kept.map((pair) => pair.raw).join("; ") : null;
}

/** Builds a Set-Cookie value. The value is percent-encoded so any string survives a round trip. */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  if (!isCookieName(name)) throw new TypeError("Invalid cookie name.");
  const parts = [`${name}=${encodeURIComponent(value)}`];
  if (options.httpOnly ?? true) parts.push("HttpOnly");
  if (options.secure ?? true) parts.push("Secure");
  parts.push(`Path=${options.path ?? "/"}`);
  parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAge))}`);
  parts.push(`SameSite=${options.sameSite ?? "Lax"}`);
  return parts.join("; ");
}

/** `Secure` is dropped only for plain-http localhost / 127.0.0.1 (local dev), never elsewhere. */
export function cookieSecureFor(url: URL): boolean {
  const host = url.hostname.toLowerCase();
  return !(url.protocol === "http:" && (host === "localhost" || host === "127.0.0.1"));
}

export const sessionCookie = (sessionId: string, maxAgeSeconds: number, secure: boolean): string =>
  serializeCookie(SESSION_COOKIE, sessionId, { maxAge: maxAgeSeconds, secure });

export const clearSessionCookie = (secure: boolean): string => serializeCookie(SESSION_COOKIE, "", { maxAge: 0, secure });
