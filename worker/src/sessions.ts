import type { RequestContext } from "./context";
import { open, seal, type Keyring } from "./crypto";
import type { KvStore } from "./env";
import { ApiError } from "./errors";
import { accountKey, sessionKey } from "./keys";
import { log } from "./log";
import { countRotation, countRuntimeConfig } from "./metrics-core";
import { isProviderName, type Credential, type Identity, type ProviderName } from "./types";
import { recordPutOptions } from "./record-metadata";

/** Where an identity's key record lives: an account record (verified user) or a device session. */
export type StoreTarget = { scope: "account"; key: string } | { scope: "device"; key: string; sessionId: string };

/** A key record as read from KV (docs/api.md#key-storage-and-rotation). Timestamps in epoch ms, as the original writes them; ISO strings are read too. */
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
  /** `malformed`: the record itself is not one (deleted); otherwise its key would not open. */
  | { status: "unreadable"; malformed?: true }
  | { status: "ok"; credential: Credential; record: StoredRecord };

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
 * The secrets crypto may use for this request. Only connect and /api/v1/ai/* call this: an unusable
 * KEY_ENCRYPTION_SECRET answers as the original worker did (500 INTERNAL_ERROR, counted) before
 * any KV or provider call; the message names no value.
 */
export function requireKeyring(ctx: RequestContext): Keyring {
  const keyring = keyringOf(ctx);
  if (keyring) return keyring;
  countRuntimeConfig(ctx.isolate.metrics, "invalidEncryptionSecret");
  const reason = ctx.config.encryptionSecret.ok ? "ok" : ctx.config.encryptionSecret.reason;
  throw new ApiError("INTERNAL_ERROR", "AI proxy encryption secret is not configured", { internal: `encryption secret unusable: ${reason}` });
}

/** The keyring when the active secret is usable, else null (status reads records without it). */
export function keyringOf(ctx: RequestContext): Keyring | null {
  const secret = ctx.config.encryptionSecret;
  if (!secret.ok) return null;
  return { active: secret.value, previous: ctx.config.previousSecret, ...(secret.raw !== secret.value ? { legacyActive: secret.raw } : {}) };
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


function serializeRecord(target: StoreTarget, record: { provider: ProviderName; encryptedApiKey: string; createdAt: number; expiresAt: number | null; updatedAt: number }): string {
  const base = { provider: record.provider, encryptedApiKey: record.encryptedApiKey, createdAt: record.createdAt };
  return JSON.stringify(
    target.scope === "device" ? { ...base, expiresAt: record.expiresAt ?? record.updatedAt } : { ...base, updatedAt: record.updatedAt },
  );
}

const kvUnavailable = (operation: string): ApiError =>
  new ApiError("SERVICE_UNAVAILABLE", "Session storage is temporarily unavailable. Please retry shortly.", { cause: "kv_unavailable", retryAfterSec: 5, internal: `KV ${operation} failed` });

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

function sessionExpiry(record: StoredRecord, ttlSeconds: number): number | null {
  if (record.expiresAt !== null) return record.expiresAt;
  return record.createdAt !== null ? record.createdAt + ttlSeconds * 1000 : null;
}

/** The original treats a session without expiresAt as expired; one with only createdAt gets its TTL. */
export function isSessionExpired(record: StoredRecord, ttlSeconds: number, now: number): boolean {
  const expiresAt = sessionExpiry(record, ttlSeconds);
  return expiresAt === null || expiresAt <= now;
}

/**
 * The record re-sealed under `encryptedApiKey` and the KV TTL that keeps a session's remaining
 * lifetime. `updatedAt` is the caller's: a read-path re-seal stamps now (the original), the
 * rotation sweep keeps what the user last connected.
 */
export function resealedRecord(target: StoreTarget, record: StoredRecord, encryptedApiKey: string, now: number, ttlSeconds: number, updatedAt: number): { value: string; ttl: number | undefined } {
  const expiresAt = rewriteExpiry(target, record, now, ttlSeconds);
  const value = serializeRecord(target, { provider: record.provider, encryptedApiKey, createdAt: record.createdAt ?? now, expiresAt, updatedAt });
  return { value, ttl: rewriteTtl(expiresAt, now) };
}

/** When a rewritten record expires: a session keeps its own end (or a fresh TTL), an account never. */
const rewriteExpiry = (target: StoreTarget, record: StoredRecord, now: number, ttlSeconds: number): number | null =>
  target.scope === "device" ? (sessionExpiry(record, ttlSeconds) ?? now + ttlSeconds * 1000) : null;
const rewriteTtl = (expiresAt: number | null, now: number): number | undefined => (expiresAt === null ? undefined : remainingTtlSeconds(expiresAt, now));

/** The KV TTL a rewrite of this record must carry, so it keeps its remaining lifetime. */
export const rewriteTtlSeconds = (target: StoreTarget, record: StoredRecord, now: number, ttlSeconds: number): number | undefined =>
  rewriteTtl(rewriteExpiry(target, record, now, ttlSeconds), now);

/** Re-seals a record opened with PREV or in the legacy format under the active secret, in place. */
async function reseal(ctx: RequestContext, keyring: Keyring, target: StoreTarget, record: StoredRecord, apiKey: string): Promise<void> {
  const now = ctx.deps.now();
  try {
    const encryptedApiKey = await seal(apiKey, keyring.active, target.key);
    const { value, ttl } = resealedRecord(target, record, encryptedApiKey, now, ctx.config.sessionTtlSeconds, now);
    await kvPut(ctx, target.key, value, ttl);
    countRotation(ctx.isolate.metrics, "reencryptSuccesses");
  } catch {
    countRotation(ctx.isolate.metrics, "reencryptFailures");
    log("warn", "reencrypt_failed", { requestId: ctx.requestId, scope: target.scope });
  }
}

export type ShapeOutcome = { status: "none" } | { status: "expired" } | { status: "unreadable" } | { status: "ok"; record: StoredRecord };

/**
 * Reads the record at `target` without opening its key: an expired device record is deleted;
 * a malformed one is reported as unreadable (the caller decides whether to delete it).
 */
export async function readRecordShape(ctx: RequestContext, target: StoreTarget): Promise<ShapeOutcome> {
  const text = await kvGet(ctx, target.key);
  if (text === null) return { status: "none" };
  const record = parseStoredRecord(text);
  if (!record) return { status: "unreadable" };
  if (target.scope === "device" && isSessionExpired(record, ctx.config.sessionTtlSeconds, ctx.deps.now())) {
    await kvDelete(ctx, target.key);
    return { status: "expired" };
  }
  return { status: "ok", record };
}

/**
 * Reads and decrypts the record at `target`. Expired, malformed and undecryptable records are deleted;
 * a record whose key id names neither configured secret is kept (configuration error, counted).
 * A record opened with PREV or in the legacy format is re-sealed under the active secret before returning.
 */
export async function readStoredCredential(ctx: RequestContext, keyring: Keyring, target: StoreTarget): Promise<ReadOutcome> {
  const shape = await readRecordShape(ctx, target);
  if (shape.status === "none" || shape.status === "expired") return shape;
  const record = shape.status === "ok" ? shape.record : null;
  const opened = record ? await open(record.encryptedApiKey, keyring, target.key) : ({ ok: false, error: "malformed" } as const);
  // Lazy, as in the original: an ignored PREV is counted when the active secret could not open a record.
  if (record && !(opened.ok && opened.value.slot === "active") && ctx.config.previousSecretIgnored) countRuntimeConfig(ctx.isolate.metrics, "invalidRotationSecret");
  if (!opened.ok && opened.error === "unknown_key") {
    countRotation(ctx.isolate.metrics, "decryptFailures");
    countRotation(ctx.isolate.metrics, "unknownKeyIdRecords");
    log("warn", "key_record_unknown_key_id", { requestId: ctx.requestId, scope: target.scope });
    return { status: "unreadable" };
  }
  if (!record || !opened.ok) {
    countRotation(ctx.isolate.metrics, "decryptFailures");
    log("warn", "key_record_unreadable", { requestId: ctx.requestId, scope: target.scope, reason: opened.ok ? "malformed" : opened.error });
    await kvDelete(ctx, target.key);
    return record ? { status: "unreadable" } : { status: "unreadable", malformed: true };
  }
  const { plaintext, slot, format } = opened.value;
  if (slot === "previous") countRotation(ctx.isolate.metrics, "fallbackDecrypts");
  if (format === "legacy") countRotation(ctx.isolate.metrics, "legacyDecrypts");
  // Awaited rather than waitUntil: one extra KV write on the rare rotation path, and callers/tests see it done.
  if (slot === "previous" || format === "legacy") await reseal(ctx, keyring, target, record, plaintext);
  return { status: "ok", credential: { provider: record.provider, apiKey: plaintext }, record };
}

const DEVICE_MESSAGES = {
  noCookie: "Connect an AI key in Settings to enable AI features.",
  ambiguous: "The pb_ai_session cookie was sent more than once, so no session is used. Reconnect your key to continue.",
  none: "AI session missing. Please reconnect your key.",
  expired: "AI session expired. Reconnect your key to continue.",
  unreadable: "AI session could not be decrypted. Reconnect your key to continue.",
  malformed: "AI session is invalid. Reconnect your key to continue.",
} as const;
const ACCOUNT_UNREADABLE = "AI key record is invalid. Reconnect your key to continue.";

/**
 * Loads and decrypts the stored provider key for an identity: the account record for a user, the
 * session record for a device. Throws AUTH_REQUIRED when nothing is stored, AUTH_EXPIRED when the
 * record is expired or cannot be opened, SERVICE_UNAVAILABLE kv_unavailable on KV failure.
 * Messages are the original worker's.
 */
export async function loadCredential(ctx: RequestContext, keyring: Keyring, identity: Identity): Promise<Credential> {
  const target = targetFor(identity);
  if (!target) throw new ApiError("AUTH_REQUIRED", identity.kind === "anon" && identity.ambiguous ? DEVICE_MESSAGES.ambiguous : DEVICE_MESSAGES.noCookie);
  const outcome = await readStoredCredential(ctx, keyring, target);
  if (outcome.status === "ok") return outcome.credential;
  if (target.scope === "account") {
    if (outcome.status === "none") throw new ApiError("AUTH_REQUIRED", DEVICE_MESSAGES.noCookie);
    throw new ApiError("AUTH_EXPIRED", ACCOUNT_UNREADABLE);
  }
  if (outcome.status === "none") throw new ApiError("AUTH_REQUIRED", DEVICE_MESSAGES.none);
  if (outcome.status === "unreadable" && outcome.malformed) throw new ApiError("AUTH_EXPIRED", DEVICE_MESSAGES.malformed);
  throw new ApiError("AUTH_EXPIRED", DEVICE_MESSAGES[outcome.status]);
}

/**
 * The credential an AI request runs with, and the identity it is rate-limited as (the original's
 * credential resolution): a verified user with an account record uses it (`user:<sub>`); anyone
 * else, a signed-in user without an account record included, uses the device session cookie
 * (`session:<id>`), which must resolve to a stored session first — so a made-up cookie costs one
 * KV read, answers 401 and never becomes a rate-limit bucket.
 */
export async function resolveCredential(ctx: RequestContext, keyring: Keyring, sub: string | null, device: Identity): Promise<{ credential: Credential; identity: Identity }> {
  if (sub !== null) {
    const account: Identity = { kind: "user", sub };
    const outcome = await readStoredCredential(ctx, keyring, targetFor(account)!);
    if (outcome.status === "ok") return { credential: outcome.credential, identity: account };
    // A record that is not one was deleted and counts as absent, as in the original.
    const absent = outcome.status === "none" || (outcome.status === "unreadable" && outcome.malformed === true);
    if (!absent) throw new ApiError("AUTH_EXPIRED", ACCOUNT_UNREADABLE);
  }
  return { credential: await loadCredential(ctx, keyring, device), identity: device };
}

/** Seals and stores a verified user's key; the account record has no TTL. */
export async function saveAccountCredential(ctx: RequestContext, keyring: Keyring, sub: string, credential: Credential): Promise<{ connectedAt: number; updatedAt: number }> {
  const target: StoreTarget = { scope: "account", key: accountKey(sub) };
  const now = ctx.deps.now();
  const encryptedApiKey = await seal(credential.apiKey, keyring.active, target.key);
  await kvPut(ctx, target.key, serializeRecord(target, { provider: credential.provider, encryptedApiKey, createdAt: now, expiresAt: null, updatedAt: now }));
  return { connectedAt: now, updatedAt: now };
}

/** Seals the key into a brand-new device session (fresh uuid: a connect never reuses a session id). */
export async function createDeviceSession(ctx: RequestContext, keyring: Keyring, credential: Credential): Promise<{ sessionId: string; expiresAt: number }> {
  const sessionId = crypto.randomUUID();
  const target: StoreTarget = { scope: "device", key: sessionKey(sessionId), sessionId };
  const now = ctx.deps.now();
  const ttl = ctx.config.sessionTtlSeconds;
  const expiresAt = now + ttl * 1000;
  const encryptedApiKey = await seal(credential.apiKey, keyring.active, target.key);
  await kvPut(ctx, target.key, serializeRecord(target, { provider: credential.provider, encryptedApiKey, createdAt: now, expiresAt, updatedAt: now }), ttl);
  return { sessionId, expiresAt };
}
