import { err, ok, type Result } from "./result";

/**
 * Provider-key encryption at rest (SPEC §3.3, docs/storage-schema.md).
 *
 * v2 record:  {"v":2,"kid":"<key id>","iv":"<b64 12 bytes>","data":"<b64 ciphertext||tag>"}
 *   key  = HKDF-SHA-256(secret, salt "pocketbrain/kek/v2", info "pocketbrain/provider-key/v2") → AES-256-GCM
 *   AAD  = the record's KV key (e.g. "session:<uuid>"), so a record copied to another key fails to open
 *   kid  = base64url(HMAC-SHA-256(secret, "pocketbrain/key-id/v2"))[0..12] — names the secret, reveals nothing
 * legacy (original worker): {"iv":"<b64>","data":"<b64>"}, key = SHA-256(secret) raw, no AAD.
 * The plaintext is the provider API key string in both formats.
 */
export const RECORD_VERSION = 2;
export const PROVIDER_KEY_PURPOSE = "pocketbrain/provider-key/v2";
const HKDF_SALT = "pocketbrain/kek/v2";
const KEY_ID_LABEL = "pocketbrain/key-id/v2";
const IV_BYTES = 12;
const KEY_CACHE_LIMIT = 64;

export interface Keyring {
  active: string;
  previous: string | null;
  /**
   * The active secret exactly as configured, when that differs from `active` (which is trimmed):
   * the original worker sealed its (legacy) records with the untrimmed value.
   */
  legacyActive?: string;
}
export type SecretSlot = "active" | "previous";
export type RecordFormat = "v2" | "legacy";
export interface Opened {
  plaintext: string;
  slot: SecretSlot;
  format: RecordFormat;
}
/**
 * `malformed`: not a sealed record at all; `undecryptable`: no secret in the keyring opens it;
 * `unknown_key`: a v2 record whose key id names neither configured secret (a configuration error,
 * not a broken record: the caller keeps it).
 */
export type OpenFailure = "malformed" | "undecryptable" | "unknown_key";

export interface SealedRecordV2 {
  v: 2;
  kid: string;
  iv: string;
  data: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Derived keys are cached per secret: HKDF + importKey cost more than the AES-GCM call itself. */
const keyCache = new Map<string, Promise<CryptoKey>>();
const keyIdCache = new Map<string, Promise<string>>();

function cached<T>(cache: Map<string, Promise<T>>, id: string, make: () => Promise<T>): Promise<T> {
  const hit = cache.get(id);
  if (hit) return hit;
  if (cache.size >= KEY_CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  const created = make();
  created.catch(() => cache.delete(id));
  cache.set(id, created);
  return created;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array<ArrayBuffer> | null {
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return null;
  }
}

const toBase64Url = (bytes: Uint8Array): string => toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

function deriveKey(secret: string, purpose: string): Promise<CryptoKey> {
  return cached(keyCache, `v2\u0000${purpose}\u0000${secret}`, async () => {
    const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
    return crypto.subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt: encoder.encode(HKDF_SALT), info: encoder.encode(purpose) },
      material,
      { name: "AES-GCM", length: 256 },
      false,
      ["encrypt", "decrypt"],
    );
  });
}

function legacyKey(secret: string): Promise<CryptoKey> {
  return cached(keyCache, `legacy\u0000${secret}`, async () => {
    const digest = await crypto.subtle.digest("SHA-256", encoder.encode(secret));
    return crypto.subtle.importKey("raw", digest, { name: "AES-GCM" }, false, ["decrypt"]);
  });
}

/** Short public fingerprint of a secret, stored in records so the right secret is tried first. */
export function keyIdFor(secret: string): Promise<string> {
  return cached(keyIdCache, secret, async () => {
    const hmacKey = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", hmacKey, encoder.encode(KEY_ID_LABEL)));
    return toBase64Url(mac.subarray(0, 9));
  });
}

/** Encrypts `plaintext` under `secret`, bound to `aad` (the KV key). Returns the v2 record as JSON text. */
export async function seal(plaintext: string, secret: string, aad: string, purpose = PROVIDER_KEY_PURPOSE): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const [key, kid] = await Promise.all([deriveKey(secret, purpose), keyIdFor(secret)]);
  const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(aad) }, key, encoder.encode(plaintext));
  const record: SealedRecordV2 = { v: RECORD_VERSION, kid, iv: toBase64(iv), data: toBase64(new Uint8Array(data)) };
  return JSON.stringify(record);
}

type Bytes = Uint8Array<ArrayBuffer>;
type Parsed = { format: "v2"; kid: string; iv: Bytes; data: Bytes } | { format: "legacy"; iv: Bytes; data: Bytes };

function parseSealed(input: unknown): Parsed | null {
  let value = input;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  if (typeof record.iv !== "string" || typeof record.data !== "string") return null;
  const iv = fromBase64(record.iv);
  const data = fromBase64(record.data);
  if (!iv || !data || iv.length !== IV_BYTES || data.length < 16) return null;
  if (record.v === undefined) return { format: "legacy", iv, data };
  if (record.v !== RECORD_VERSION || typeof record.kid !== "string") return null;
  return { format: "v2", kid: record.kid, iv, data };
}

async function tryDecrypt(key: CryptoKey, iv: Bytes, data: Bytes, aad?: string): Promise<string | null> {
  try {
    const params = { name: "AES-GCM", iv, ...(aad === undefined ? {} : { additionalData: encoder.encode(aad) }) };
    return decoder.decode(await crypto.subtle.decrypt(params, key, data));
  } catch {
    return null;
  }
}

/** Secrets to try, in order: the one the kid names first, then active, then previous. */
async function candidateOrder(keyring: Keyring, kid: string | undefined): Promise<SecretSlot[]> {
  const slots: SecretSlot[] = keyring.previous === null ? ["active"] : ["active", "previous"];
  if (kid === undefined || keyring.previous === null) return slots;
  return (await keyIdFor(keyring.previous)) === kid && (await keyIdFor(keyring.active)) !== kid ? ["previous", "active"] : slots;
}

async function namesConfiguredSecret(keyring: Keyring, kid: string): Promise<boolean> {
  if ((await keyIdFor(keyring.active)) === kid) return true;
  return keyring.previous !== null && (await keyIdFor(keyring.previous)) === kid;
}

/**
 * Opens a sealed record (v2 or legacy; a JSON string or an already-parsed object) with the keyring.
 * Pure apart from WebCrypto; the caller decides what a fallback or failure means for storage.
 */
export async function open(input: unknown, keyring: Keyring, aad: string, purpose = PROVIDER_KEY_PURPOSE): Promise<Result<Opened, OpenFailure>> {
  const parsed = parseSealed(input);
  if (!parsed) return err("malformed");
  const slots = await candidateOrder(keyring, parsed.format === "v2" ? parsed.kid : undefined);
  for (const slot of slots) {
    const secret = slot === "active" ? keyring.active : keyring.previous!;
    let plaintext =
      parsed.format === "v2"
        ? await tryDecrypt(await deriveKey(secret, purpose), parsed.iv, parsed.data, aad)
        : await tryDecrypt(await legacyKey(secret), parsed.iv, parsed.data);
    if (plaintext === null && parsed.format === "legacy" && slot === "active" && keyring.legacyActive !== undefined) {
      plaintext = await tryDecrypt(await legacyKey(keyring.legacyActive), parsed.iv, parsed.data);
    }
    if (plaintext !== null) return ok({ plaintext, slot, format: parsed.format });
  }
  if (parsed.format === "v2" && !(await namesConfiguredSecret(keyring, parsed.kid))) return err("unknown_key");
  return err("undecryptable");
}
