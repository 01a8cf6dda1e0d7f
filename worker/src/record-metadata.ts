/**
 * KV metadata on every sealed key record: `{ kid }`, the key id of the secret that sealed it
 * (crypto.ts `keyIdFor`, a fingerprint that reveals nothing). Listing `session:`/`account:` then
 * tells records on an old secret apart without reading a value (docs/decisions/0005).
 */
export interface RecordMetadata {
  kid: string;
}

/** The key id named by KV metadata, or null when there is none (legacy and pre-metadata records). Pure. */
export function kidOfMetadata(metadata: unknown): string | null {
  if (metadata === null || typeof metadata !== "object") return null;
  const kid = (metadata as Record<string, unknown>).kid;
  return typeof kid === "string" && kid !== "" ? kid : null;
}

/** The key id inside a stored record's JSON text (`encryptedApiKey.kid` of a v2 seal), else null. Pure. */
export function kidOfStoredText(text: string): string | null {
  try {
    const record = JSON.parse(text) as { encryptedApiKey?: unknown };
    let sealed = record?.encryptedApiKey;
    if (typeof sealed === "string") sealed = JSON.parse(sealed);
    return kidOfMetadata(sealed);
  } catch {
    return null;
  }
}

/** Options for a KV put of a stored record: its TTL and, when it is a v2 seal, `metadata: { kid }`. Pure. */
export function recordPutOptions(text: string, ttl?: number): { expirationTtl?: number; metadata?: RecordMetadata } | undefined {
  const kid = kidOfStoredText(text);
  if (kid === null && ttl === undefined) return undefined;
  return { ...(ttl === undefined ? {} : { expirationTtl: ttl }), ...(kid === null ? {} : { metadata: { kid } }) };
}
