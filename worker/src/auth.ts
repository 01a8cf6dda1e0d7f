import { createRemoteJWKSet, customFetch, decodeJwt, jwtVerify, type FetchImplementation, type RemoteJWKSet } from "jose";
import type { ClerkConfig } from "./config";
import type { RequestContext } from "./context";
import { isSessionId, readCookie, SESSION_COOKIE } from "./cookies";
import type { Deps } from "./deps";
import { ApiError } from "./errors";
import { log } from "./log";
import { countAuthConfig } from "./metrics";
import type { Identity } from "./types";

const CLOCK_TOLERANCE_SECONDS = 30;
const JWKS_TIMEOUT_MS = 3000;
/** An unknown `kid` refetches the JWKS at most this often (Clerk key rotation without a fetch storm). */
const JWKS_COOLDOWN_MS = 30_000;
const JWKS_CACHE_MAX_AGE_MS = 10 * 60_000;
const JWKS_FETCH_ERROR_CODES = new Set(["ERR_JWKS_TIMEOUT", "ERR_JWKS_INVALID", "ERR_JOSE_GENERIC"]);

/**
 * One remote JWKS resolver per URL, per fetch implementation: production has one (realDeps.fetch),
 * tests that inject their own fetch get their own cache instead of another test's keys.
 */
const jwksByFetch = new WeakMap<Deps["fetch"], Map<string, RemoteJWKSet>>();

export function remoteJwksFor(url: string, fetchImpl: Deps["fetch"]): RemoteJWKSet {
  let byUrl = jwksByFetch.get(fetchImpl);
  if (!byUrl) {
    byUrl = new Map();
    jwksByFetch.set(fetchImpl, byUrl);
  }
  let jwks = byUrl.get(url);
  if (!jwks) {
    const viaDeps: FetchImplementation = (input, init) => fetchImpl(input, init);
    jwks = createRemoteJWKSet(new URL(url), {
      timeoutDuration: JWKS_TIMEOUT_MS,
      cooldownDuration: JWKS_COOLDOWN_MS,
      cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
      [customFetch]: viaDeps,
    });
    byUrl.set(url, jwks);
  }
  return jwks;
}

/** The token of an `Authorization: Bearer …` header, or null. */
export function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1] ?? null;
}

/** Device scope: the `pb_ai_session` cookie when it holds a well-formed uuid, else anon. */
export function cookieIdentity(request: Request): Identity {
  const value = readCookie(request.headers.get("cookie"), SESSION_COOKIE);
  return value !== undefined && isSessionId(value) ? { kind: "session", sessionId: value } : { kind: "anon" };
}

const subjectOf = (payload: { sub?: unknown }): string | null =>
  typeof payload.sub === "string" && payload.sub.trim() !== "" ? payload.sub : null;

function assertClerkUsable(clerk: ClerkConfig): void {
  if (clerk.state === "partial") {
    countAuthConfig("partialClerkConfig");
    throw new ApiError("AUTH_CONFIG_INVALID", "Authentication is misconfigured: set CLERK_JWKS_URL, CLERK_ISSUER and CLERK_AUDIENCE together.", {
      internal: `partial Clerk config, missing ${clerk.missing.join(",")}`,
    });
  }
  if (clerk.state === "invalid") {
    countAuthConfig("invalidClerkConfig");
    throw new ApiError("AUTH_CONFIG_INVALID", "Authentication is misconfigured: CLERK_JWKS_URL and CLERK_ISSUER must be absolute https: URLs.", {
      internal: `invalid Clerk config: ${clerk.problems.join("; ")}`,
    });
  }
}

async function verifyClerkToken(ctx: RequestContext, token: string, clerk: Extract<ClerkConfig, { state: "complete" }>): Promise<string | null> {
  try {
    const { payload } = await jwtVerify(token, remoteJwksFor(clerk.jwksUrl, ctx.deps.fetch), {
      algorithms: ["RS256"],
      issuer: clerk.issuer,
      audience: clerk.audience,
      requiredClaims: ["exp", "sub"],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: new Date(ctx.deps.now()),
    });
    const sub = subjectOf(payload);
    if (sub === null) countAuthConfig("invalidTokens");
    return sub;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const jwksProblem = typeof code !== "string" || JWKS_FETCH_ERROR_CODES.has(code);
    countAuthConfig(jwksProblem ? "jwksFetchFailures" : "invalidTokens");
    log("warn", jwksProblem ? "jwks_unavailable" : "invalid_token", { requestId: ctx.requestId, reason: typeof code === "string" ? code : "fetch_failed" });
    return null;
  }
}

function decodeUnverified(token: string): string | null {
  try {
    const sub = subjectOf(decodeJwt(token));
    if (sub === null) countAuthConfig("invalidTokens");
    else countAuthConfig("insecureDevAuthUsed");
    return sub;
  } catch {
    countAuthConfig("invalidTokens");
    return null;
  }
}

/**
 * Who the request acts for (SPEC §3.4): a verified bearer JWT → user; otherwise the device session
 * cookie (a well-formed uuid, not yet looked up in KV) → session; otherwise anon. An invalid token
 * falls back to the cookie scope. Throws ApiError AUTH_CONFIG_INVALID for a bearer with a
 * partial/invalid Clerk config.
 */
export async function resolveIdentity(ctx: RequestContext): Promise<Identity> {
  const token = bearerToken(ctx.request);
  if (token === null) return cookieIdentity(ctx.request);

  if (ctx.config.allowInsecureDevAuth) {
    if (ctx.isLoopbackHost) {
      const sub = decodeUnverified(token);
      return sub === null ? cookieIdentity(ctx.request) : { kind: "user", sub };
    }
    countAuthConfig("insecureDevAuthRejected");
  }

  const clerk = ctx.config.clerk;
  if (clerk.state === "none") {
    countAuthConfig("missingClerkConfig");
    return cookieIdentity(ctx.request);
  }
  assertClerkUsable(clerk);
  if (clerk.state !== "complete") return cookieIdentity(ctx.request);
  const sub = await verifyClerkToken(ctx, token, clerk);
  return sub === null ? cookieIdentity(ctx.request) : { kind: "user", sub };
}
