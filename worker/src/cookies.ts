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
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isCookieName = (name: string): boolean => COOKIE_NAME.test(name);

/** A device session id is a canonical uuid; anything else in the cookie is ignored. */
export const isSessionId = (value: string): boolean => UUID.test(value);

function safeDecode(value: string): string {
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Parses a Cookie header into name → value (first occurrence wins, like browsers send them). Never throws. */
export function parseCookies(header: string | null | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!isCookieName(name) || cookies.has(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    cookies.set(name, safeDecode(value));
  }
  return cookies;
}

export const readCookie = (header: string | null | undefined, name: string): string | undefined => parseCookies(header).get(name);

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
