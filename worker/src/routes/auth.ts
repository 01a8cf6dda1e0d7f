import { cookieIdentity, resolveBearerUser, resolveIdentity } from "../auth";
import { assertStateChangeAllowed, readJsonObject } from "../body";
import type { RequestContext } from "../context";
import { enforceRateLimit } from "../control-plane-client";
import { clearSessionCookie, cookieSecureFor, sessionCookie } from "../cookies";
import { ApiError } from "../errors";
import { jsonResponse } from "../http";
import { validateProviderKey } from "../providers/index";
import { err, ok, type Result } from "../result";
import {
  createDeviceSession,
  isoTime,
  keyringOf,
  kvDelete,
  readRecordShape,
  readStoredCredential,
  requireKeyring,
  saveAccountCredential,
  targetFor,
  type StoreTarget,
} from "../sessions";
import { isProviderName, type Credential, type Identity } from "../types";

export const MAX_API_KEY_LENGTH = 512;

/** Validates the connect body with the original worker's messages; each names the offending field. Pure. */
export function parseConnectBody(body: Record<string, unknown>): Result<Credential, string> {
  if (!isProviderName(body.provider)) return err("Provider must be gemini or openrouter");
  if (typeof body.apiKey !== "string") return err("API key is required.");
  const apiKey = body.apiKey.trim();
  if (apiKey === "") return err("API key is required.");
  if (apiKey.length > MAX_API_KEY_LENGTH) return err(`apiKey must be at most ${MAX_API_KEY_LENGTH} characters.`);
  // Printable ASCII only: a NUL, control character, space or non-ASCII byte would make fetch throw
  // before anything is sent, which must never look like a provider failure.
  if (!/^[\x21-\x7E]+$/.test(apiKey)) return err("apiKey must be printable ASCII (no spaces, control or non-ASCII characters).");
  return ok({ provider: body.provider, apiKey });
}

const clearCookieHeaders = (ctx: RequestContext): HeadersInit => ({ "Set-Cookie": clearSessionCookie(cookieSecureFor(ctx.url)) });

/**
 * GET /api/v1/auth/status (docs/api.md). Never 403: an expired or unreadable device record reads as
 * disconnected. Never checks the encryption secret: without a usable one it reports the record's
 * shape without opening it.
 */
export async function handleAuthStatus(ctx: RequestContext): Promise<Response> {
  const identity = await resolveIdentity(ctx);
  const target = targetFor(identity);
  if (!target) return jsonResponse({ connected: false, scope: "device" }, ctx.requestId);

  const keyring = keyringOf(ctx);
  const outcome = keyring ? await readStoredCredential(ctx, keyring, target) : await readRecordShape(ctx, target);
  if (outcome.status !== "ok") {
    return target.scope === "account"
      ? jsonResponse({ connected: false, scope: "account" }, ctx.requestId)
      : jsonResponse({ connected: false, scope: "device" }, ctx.requestId, { headers: clearCookieHeaders(ctx) });
  }
  const { record } = outcome;
  const now = ctx.deps.now();
  if (target.scope === "account") {
    const connectedAt = record.createdAt ?? record.updatedAt ?? now;
    return jsonResponse(
      { connected: true, provider: record.provider, scope: "account", connectedAt: isoTime(connectedAt), updatedAt: isoTime(record.updatedAt ?? connectedAt) },
      ctx.requestId,
    );
  }
  const expiresAt = record.expiresAt ?? (record.createdAt ?? now) + ctx.config.sessionTtlSeconds * 1000;
  return jsonResponse({ connected: true, provider: record.provider, expiresAt: isoTime(expiresAt), scope: "device" }, ctx.requestId);
}

/** POST /api/v1/auth/connect: validate the key with the provider, then seal and store it (SPEC §3.2, §3.3). */
export async function handleConnect(ctx: RequestContext): Promise<Response> {
  assertStateChangeAllowed(ctx);
  const keyring = requireKeyring(ctx);
  const sub = await resolveBearerUser(ctx);
  const identity: Identity = sub === null ? { kind: "anon" } : { kind: "user", sub };
  // Connect's bucket is `user:<sub>` or `anon` + client IP, as in the original: a cookie the client
  // picks itself never buys a fresh bucket.
  await enforceRateLimit(ctx, identity);
  const parsed = parseConnectBody(await readJsonObject(ctx.request));
  if (!parsed.ok) throw new ApiError("BAD_REQUEST", parsed.error);
  const credential = parsed.value;
  await validateProviderKey(ctx, credential);

  if (identity.kind === "user") {
    const times = await saveAccountCredential(ctx, keyring, identity.sub, credential);
    return jsonResponse({ connected: true, provider: credential.provider, scope: "account", ...times }, ctx.requestId);
  }
  const session = await createDeviceSession(ctx, keyring, credential);
  const previous = targetFor(cookieIdentity(ctx.request));
  // The old session is superseded; dropping it is hygiene, not correctness (its TTL ends it anyway).
  if (previous) await kvDelete(ctx, previous.key).catch(() => undefined);
  return jsonResponse({ connected: true, provider: credential.provider, expiresAt: session.expiresAt, scope: "device" }, ctx.requestId, {
    headers: { "Set-Cookie": sessionCookie(session.sessionId, ctx.config.sessionTtlSeconds, cookieSecureFor(ctx.url)) },
  });
}

/**
 * POST /api/v1/auth/disconnect: a verified user loses the account record **and** this device's
 * session (when the cookie names one); the cookie is always cleared, so no key stays usable from
 * this browser after a sign-out.
 */
export async function handleDisconnect(ctx: RequestContext): Promise<Response> {
  assertStateChangeAllowed(ctx);
  const sub = await resolveBearerUser(ctx);
  const device: StoreTarget | null = targetFor(cookieIdentity(ctx.request));
  if (sub !== null) await kvDelete(ctx, targetFor({ kind: "user", sub })!.key);
  if (device) await kvDelete(ctx, device.key);
  return jsonResponse({ connected: false, scope: sub !== null ? "account" : "device" }, ctx.requestId, { headers: clearCookieHeaders(ctx) });
}
