import type { RequestContext } from "./context";
import { open, seal, type Keyring } from "./crypto";
import type { KvStore } from "./env";
import { ApiError } from "./errors";
import { accountKey, sessionKey } from "./keys";
import { log } from "./log";
import { countRotation } from "./metrics";
import { isProviderName, type Credential, type Identity, type ProviderName } from "./types";
import { recordPutOptions } from "./record-metadata";

/** Where an identity's key record lives: an account record (verified user) or a device session. */
export type StoreTarget = { scope: "account"; key: string } | { scope: "device"; key: string; sessionId: string };

/** A key record as read from KV (SPEC §3.3). Timestamps in ms; the original's format is unknown, so both numbers and ISO strings are read. */
export interface StoredRecord {
  provider: ProviderName;
  encryptedApiKey: unknown;
  createdAt: number | null;
  expiresAt: number | null;
  updatedAt: number | null;
}

export type ReadOutcome =
  | { status: "none" }
  | { status: "expired" }
  | { status: "unreadable" }
  | { status: "ok"; credential: Credential; record: StoredRecord };

const SECRET_REASON_TEXT = { missing: "is not set", placeholder: "is a placeholder value", too_short: "is too short" } as const;
const MIN_KV_TTL_SECONDS = 60;

export function targetFor(identity: Identity): StoreTarget | null {
  switch (identity.kind) {
    case "user":
      return { scope: "account", key: accountKey(identity.sub) };
    case "session":
      return { scope: "device", key: sessionKey(identity.sessionId), sessionId: identity.sessionId };
    case "anon":
      return null;
  }
}

/**
 * The secrets crypto may use for this request. An unusable KEY_ENCRYPTION_SECRET is a 500 CONFIG_ERROR
 * raised before any KV call; the message names the variable, never its value.
 */
export function requireKeyring(ctx: RequestContext): Keyring {
  const secret = ctx.config.encryptionSecret;
  if (!secret.ok) {
    countRotation("invalidEncryptionSecret");
    throw new ApiError("CONFIG_ERROR", `Server misconfigured: KEY_ENCRYPTION_SECRET ${SECRET_REASON_TEXT[secret.reason]}.`, {
      internal: `encryption secret unusable: ${secret.reason}`,
    });
  }
  if (ctx.config.previousSecretIgnored) countRotation("invalidRotationSecret");
  return { active: secret.value, previous: ctx.config.previousSecret };
}

export function parseTimestamp(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value !== "string" || value.trim() === "") return null;
  const numeric = Number(value);
  if (Number.isFinite(numeric)) return numeric;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? null : parsed;
}

/** Parses a stored record; null when it is not one (treated like an undecryptable record). Pure. */
export function parseStoredRecord(text: string): StoredRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  if (!isProviderName(record.provider) || record.encryptedApiKey === undefined || record.encryptedApiKey === null) return null;
  return {
    provider: record.provider,
    encryptedApiKey: record.encryptedApiKey,
    createdAt: parseTimestamp(record.createdAt),
    expiresAt: parseTimestamp(record.expiresAt),
    updatedAt: parseTimestamp(record.updatedAt),
  };
}

export const isoTime = (ms: number): string => new Date(ms).toISOString();

export function serializeRecord(target: StoreTarget, record: { provider: ProviderName; encryptedApiKey: string; createdAt: number; expiresAt: number | null; updatedAt: number }): string {
  const base = { provider: record.provider, encryptedApiKey: record.encryptedApiKey, createdAt: isoTime(record.createdAt) };
  return JSON.stringify(
    target.scope === "device" ? { ...base, expiresAt: isoTime(record.expiresAt ?? record.updatedAt) } : { ...base, updatedAt: isoTime(record.updatedAt) },
  );
}

const kvUnavailable = (operation: string): ApiError =>
  new ApiError("SERVICE_UNAVAILABLE", "Session storage is unavailable.", { cause: "kv_unavailable", retryAfterSec: 5, internal: `KV ${operation} failed` });

function store(ctx: RequestContext): KvStore {
  const kv = ctx.env.AI_SESSIONS;
  if (!kv) throw kvUnavailable("binding missing:");
  return kv;
}

async function kvCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch {
    throw kvUnavailable(operation);
  }
}

export const kvGet = (ctx: RequestContext, key: string): Promise<string | null> => kvCall("get", () => store(ctx).get(key));
export const kvDelete = (ctx: RequestContext, key: string): Promise<void> => kvCall("delete", () => store(ctx).delete(key));
const kvPut = (ctx: RequestContext, key: string, value: string, ttl?: number): Promise<void> =>
  kvCall("put", () => store(ctx).put(key, value, recordPutOptions(value, ttl)));

/** KV TTL that keeps a session's remaining lifetime (KV rejects < 60 s). */
export const remainingTtlSeconds = (expiresAt: number, now: number): number =>
  Math.max(MIN_KV_TTL_SECONDS, Math.ceil((expiresAt - now) / 1000));

export function sessionExpiry(record: StoredRecord, ttlSeconds: number): number | null {
  if (record.expiresAt !== null) return record.expiresAt;
  return record.createdAt !== null ? record.createdAt + ttlSeconds * 1000 : null;
}

/** Re-seals a record opened with PREV or in the legacy format under the active secret, in place. */
async function reseal(ctx: RequestContext, keyring: Keyring, target: StoreTarget, record: StoredRecord, apiKey: string): Promise<void> {
  const now = ctx.deps.now();
  try {
    const encryptedApiKey = await seal(apiKey, keyring.active, target.key);
    const expiresAt = target.scope === "device" ? sessionExpiry(record, ctx.config.sessionTtlSeconds) ?? now + ctx.config.sessionTtlSeconds * 1000 : null;
    const value = serializeRecord(target, { provider: record.provider, encryptedApiKey, createdAt: record.createdAt ?? now, expiresAt, updatedAt: now });
    await kvPut(ctx, target.key, value, expiresAt === null ? undefined : remainingTtlSeconds(expiresAt, now));
    countRotation("reencryptSuccesses");
  } catch {
    countRotation("reencryptFailures");
    log("warn", "reencrypt_failed", { requestId: ctx.requestId, scope: target.scope });
  }
}

/**
 * Reads and decrypts the record at `target`. Expired, malformed and undecryptable records are deleted.
 * A record opened with PREV or in the legacy format is re-sealed under the active secret before returning.
 */
export async function readStoredCredential(ctx: RequestContext, keyring: Keyring, target: StoreTarget): Promise<ReadOutcome> {
  const text = await kvGet(ctx, target.key);
  if (text === null) return { status: "none" };
  const record = parseStoredRecord(text);
  if (record && target.scope === "device") {
    const expiresAt = sessionExpiry(record, ctx.config.sessionTtlSeconds);
    if (expiresAt !== null && expiresAt <= ctx.deps.now()) {
      await kvDelete(ctx, target.key);
      return { status: "expired" };
    }
  }
  const opened = record ? await open(record.encryptedApiKey, keyring, target.key) : ({ ok: false, error: "malformed" } as const);
  if (!record || !opened.ok) {
    countRotation("decryptFailures");
    log("warn", "key_record_unreadable", { requestId: ctx.requestId, scope: target.scope, reason: opened.ok ? "malformed" : opened.error });
    await kvDelete(ctx, target.key);
    return { status: "unreadable" };
  }
  const { plaintext, slot, format } = opened.value;
  if (slot === "previous") countRotation("fallbackDecrypts");
  if (format === "legacy") countRotation("legacyDecrypts");
  // Awaited rather than waitUntil: one extra KV write on the rare rotation path, and callers/tests see it done.
  if (slot === "previous" || format === "legacy") await reseal(ctx, keyring, target, record, plaintext);
  return { status: "ok", credential: { provider: record.provider, apiKey: plaintext }, record };
}

/**
 * Loads and decrypts the stored provider key for an identity (account record for a user, session
 * record for a device). Throws AUTH_REQUIRED when nothing is stored, AUTH_EXPIRED when the record is
 * expired or cannot be decrypted (and deletes it), SERVICE_UNAVAILABLE kv_unavailable on KV failure,
 * CONFIG_ERROR when the encryption secret is unusable (without touching KV).
 */
export async function loadCredential(ctx: RequestContext, identity: Identity): Promise<Credential> {
  const keyring = requireKeyring(ctx);
  const target = targetFor(identity);
  if (!target) throw new ApiError("AUTH_REQUIRED", "Connect an API key first.");
  const outcome = await readStoredCredential(ctx, keyring, target);
  switch (outcome.status) {
    case "none":
      throw new ApiError("AUTH_REQUIRED", "Connect an API key first.");
    case "expired":
      throw new ApiError("AUTH_EXPIRED", "Session expired. Reconnect your key.");
    case "unreadable":
      throw new ApiError("AUTH_EXPIRED", "Reconnect your key.");
    case "ok":
      return outcome.credential;
  }
}

/** Seals and stores a verified user's key; the account record has no TTL. */
export async function saveAccountCredential(ctx: RequestContext, keyring: Keyring, sub: string, credential: Credential): Promise<{ connectedAt: string; updatedAt: string }> {
  const target: StoreTarget = { scope: "account", key: accountKey(sub) };
  const now = ctx.deps.now();
  const encryptedApiKey = await seal(credential.apiKey, keyring.active, target.key);
  await kvPut(ctx, target.key, serializeRecord(target, { provider: credential.provider, encryptedApiKey, createdAt: now, expiresAt: null, updatedAt: now }));
  return { connectedAt: isoTime(now), updatedAt: isoTime(now) };
}

/** Seals the key into a brand-new device session (fresh uuid: a connect never reuses a session id). */
export async function createDeviceSession(ctx: RequestContext, keyring: Keyring, credential: Credential): Promise<{ sessionId: string; expiresAt: string }> {
  const sessionId = crypto.randomUUID();
  const target: StoreTarget = { scope: "device", key: sessionKey(sessionId), sessionId };
  const now = ctx.deps.now();
  const ttl = ctx.config.sessionTtlSeconds;
  const expiresAt = now + ttl * 1000;
  const encryptedApiKey = await seal(credential.apiKey, keyring.active, target.key);
  await kvPut(ctx, target.key, serializeRecord(target, { provider: credential.provider, encryptedApiKey, createdAt: now, expiresAt, updatedAt: now }), ttl);
  return { sessionId, expiresAt: isoTime(expiresAt) };
}
