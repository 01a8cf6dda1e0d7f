import { createRemoteJWKSet, customFetch, decodeJwt, jwtVerify, type FetchImplementation, type RemoteJWKSet } from "jose";
import type { ClerkConfig } from "./config";
import type { RequestContext } from "./context";
import { isSessionId, readCookie, readUniqueCookie, SESSION_COOKIE } from "./cookies";
import type { Deps } from "./deps";
import { ApiError } from "./errors";
import { log } from "./log";
import { countAuthConfig } from "./metrics-core";
import type { Identity } from "./types";

const CLOCK_TOLERANCE_SECONDS = 30;
const JWKS_TIMEOUT_MS = 3000;
/** An unknown `kid` refetches the JWKS at most this often (Clerk key rotation without a fetch storm). */
const JWKS_COOLDOWN_MS = 30_000;
const JWKS_CACHE_MAX_AGE_MS = 10 * 60_000;
const JWKS_FETCH_ERROR_CODES = new Set(["ERR_JWKS_TIMEOUT", "ERR_JWKS_INVALID", "ERR_JOSE_GENERIC"]);

/** A JWKS endpoint that just failed is not asked again for this long (a bearer flood must not become a fetch flood). */
export const JWKS_FAILURE_MEMORY_MS = 30_000;

interface JwksEntry {
  jwks: RemoteJWKSet;
  /** deps.now() until which the last fetch failure is remembered; 0 when the last fetch worked. */
  failedUntil: number;
}

/**
 * One remote JWKS resolver per URL, per fetch implementation: production has one (realDeps.fetch),
 * tests that inject their own fetch get their own cache instead of another test's keys.
 */
const jwksByFetch = new WeakMap<Deps["fetch"], Map<string, JwksEntry>>();

function jwksEntryFor(url: string, fetchImpl: Deps["fetch"]): JwksEntry {
  let byUrl = jwksByFetch.get(fetchImpl);
  if (!byUrl) {
    byUrl = new Map();
    jwksByFetch.set(fetchImpl, byUrl);
  }
  let entry = byUrl.get(url);
  if (!entry) {
    const viaDeps: FetchImplementation = (input, init) => fetchImpl(input, init);
    const jwks = createRemoteJWKSet(new URL(url), {
      timeoutDuration: JWKS_TIMEOUT_MS,
      cooldownDuration: JWKS_COOLDOWN_MS,
      cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
      [customFetch]: viaDeps,
    });
    entry = { jwks, failedUntil: 0 };
    byUrl.set(url, entry);
  }
  return entry;
}

export const remoteJwksFor = (url: string, fetchImpl: Deps["fetch"]): RemoteJWKSet => jwksEntryFor(url, fetchImpl).jwks;

/** The token of an `Authorization: Bearer …` header, or null. */
export function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1] ?? null;
}

/**
 * Device scope: the `pb_ai_session` cookie when it is sent exactly once and has a session id's
 * shape, else anon. Not yet looked up in KV: a cookie is a rate-limit identity only once it
 * resolves to a stored session (sessions.ts).
 */
export function cookieIdentity(request: Request): Identity {
  const header = request.headers.get("cookie");
  const value = readUniqueCookie(header, SESSION_COOKIE);
  if (value !== undefined) return isSessionId(value) ? { kind: "session", sessionId: value } : { kind: "anon" };
  return readCookie(header, SESSION_COOKIE) === undefined ? { kind: "anon" } : { kind: "anon", ambiguous: true };
}

const subjectOf = (payload: { sub?: unknown }): string | null =>
  typeof payload.sub === "string" && payload.sub.trim() !== "" ? payload.sub : null;

const MISSING_CLERK_MESSAGE = "Clerk auth verification is not configured. Set CLERK_JWKS_URL, CLERK_ISSUER, and CLERK_AUDIENCE.";

/** The original worker's messages for a bad Clerk tuple: they name the variable, never a value. */
function assertClerkUsable(ctx: RequestContext, clerk: ClerkConfig): void {
  if (clerk.state === "partial") {
    countAuthConfig(ctx.isolate.metrics, "partialClerkConfig");
    throw new ApiError("AUTH_CONFIG_INVALID", "CLERK_JWKS_URL, CLERK_ISSUER, and CLERK_AUDIENCE must be set together.", {
      internal: `partial Clerk config, missing ${clerk.missing.join(",")}`,
    });
  }
  if (clerk.state === "invalid") {
    countAuthConfig(ctx.isolate.metrics, "invalidClerkConfig");
    const first = clerk.problems[0] ?? "CLERK_JWKS_URL is not an absolute URL";
    const name = first.split(" ")[0]!;
    const message = first.includes("https") ? `${name} must use https:// outside loopback hosts.` : `${name} must be a valid absolute URL.`;
    throw new ApiError("AUTH_CONFIG_INVALID", message, { internal: `invalid Clerk config: ${clerk.problems.join("; ")}` });
  }
}

async function verifyClerkToken(ctx: RequestContext, token: string, clerk: Extract<ClerkConfig, { state: "complete" }>): Promise<string | null> {
  const entry = jwksEntryFor(clerk.jwksUrl, ctx.deps.fetch);
  if (entry.failedUntil > ctx.deps.now()) {
    countAuthConfig(ctx.isolate.metrics, "jwksFetchFailures");
    return null;
  }
  try {
    const { payload } = await jwtVerify(token, entry.jwks, {
      algorithms: ["RS256"],
      issuer: clerk.issuer,
      audience: clerk.audience,
      requiredClaims: ["exp", "sub"],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: new Date(ctx.deps.now()),
    });
    entry.failedUntil = 0;
    const sub = subjectOf(payload);
    if (sub === null) countAuthConfig(ctx.isolate.metrics, "invalidTokens");
    return sub;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const jwksProblem = typeof code !== "string" || JWKS_FETCH_ERROR_CODES.has(code);
    if (jwksProblem) entry.failedUntil = ctx.deps.now() + JWKS_FAILURE_MEMORY_MS;
    countAuthConfig(ctx.isolate.metrics, jwksProblem ? "jwksFetchFailures" : "invalidTokens");
    log("warn", jwksProblem ? "jwks_unavailable" : "invalid_token", { requestId: ctx.requestId, reason: typeof code === "string" ? code : "fetch_failed" });
    return null;
  }
}

function decodeUnverified(ctx: RequestContext, token: string): string | null {
  try {
    const sub = subjectOf(decodeJwt(token));
    if (sub === null) countAuthConfig(ctx.isolate.metrics, "invalidTokens");
    else countAuthConfig(ctx.isolate.metrics, "insecureDevAuthUsed");
    return sub;
  } catch {
    countAuthConfig(ctx.isolate.metrics, "invalidTokens");
    return null;
  }
}

/**
 * The verified bearer user (docs/api.md), in the original worker's order: no bearer → null with no
 * config check; a partial or invalid Clerk tuple → 500 AUTH_CONFIG_INVALID (even with insecure dev
 * auth on); a complete tuple → jose verification, with the unverified decode as fallback only when
 * insecure dev auth applies (flag on and a local request); no tuple → the unverified decode when
 * insecure dev auth applies, else 500 AUTH_CONFIG_INVALID `missingClerkConfig`. An invalid token is
 * null (the caller falls back to the cookie scope), never a 401.
 */
export async function resolveBearerUser(ctx: RequestContext): Promise<string | null> {
  const token = bearerToken(ctx.request);
  if (token === null) return null;
  const clerk = ctx.config.clerk;
  assertClerkUsable(ctx, clerk);
  const insecureApplies = ctx.config.allowInsecureDevAuth && ctx.isLocal;
  if (ctx.config.allowInsecureDevAuth && !ctx.isLocal) countAuthConfig(ctx.isolate.metrics, "insecureDevAuthRejected");
  if (clerk.state === "complete") {
    const sub = await verifyClerkToken(ctx, token, clerk);
    if (sub !== null || !insecureApplies) return sub;
    return decodeUnverified(ctx, token);
  }
  if (insecureApplies) return decodeUnverified(ctx, token);
  countAuthConfig(ctx.isolate.metrics, "missingClerkConfig");
  throw new ApiError("AUTH_CONFIG_INVALID", MISSING_CLERK_MESSAGE, { internal: "bearer token sent but no Clerk config" });
}

/**
 * Who the request acts for: a verified bearer user → user; otherwise the device session cookie
 * (shape-checked, not yet looked up) → session; otherwise anon.
 */
export async function resolveIdentity(ctx: RequestContext): Promise<Identity> {
  const sub = await resolveBearerUser(ctx);
  return sub === null ? cookieIdentity(ctx.request) : { kind: "user", sub };
}
