import { seal, toBase64 } from "../src/crypto";
import type { KvStore } from "../src/env";
import { accountKey, sessionKey } from "../src/keys";
import { recordPutOptions } from "../src/record-metadata";

/** How one seeded record is sealed: v2 with KV metadata (today), v2 without (before metadata), or the original's legacy format. */
export type SeedFormat = "v2" | "v2-no-metadata" | "legacy";

export interface SeedPlan {
  sessions: Record<SeedFormat, number>;
  accounts: Record<SeedFormat, number>;
}

export interface SeededRecord {
  key: string;
  apiKey: string;
  format: SeedFormat;
}

/** Builds a record exactly like the original worker did: key = raw SHA-256(secret), 12-byte IV, no AAD. */
export async function legacySeal(plaintext: string, secret: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret));
  const key = await crypto.subtle.importKey("raw", digest, { name: "AES-GCM" }, false, ["encrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, new TextEncoder().encode(plaintext)));
  return JSON.stringify({ iv: toBase64(iv), data: toBase64(data) });
}

/**
 * Writes the plan's records into `kv`, all sealed under `secret`, the way each generation of the
 * Worker stored them (epoch-ms timestamps, sessions with their TTL). Returns what was written, for the after-checks.
 */
export async function seedRecords(kv: KvStore, secret: string, plan: SeedPlan, now: number): Promise<SeededRecord[]> {
  const seeded: SeededRecord[] = [];
  for (const scope of ["sessions", "accounts"] as const) {
    for (const format of ["v2", "v2-no-metadata", "legacy"] as const) {
      for (let i = 0; i < plan[scope][format]; i += 1) {
        const id = `${format}-${String(i).padStart(5, "0")}`;
        const key = scope === "sessions" ? sessionKey(`rotation-${id}`) : accountKey(`user_${id}`);
        const apiKey = `AIza-rotation-${scope}-${id}`;
        const encryptedApiKey = format === "legacy" ? await legacySeal(apiKey, secret) : await seal(apiKey, secret, key);
        const value = JSON.stringify(
          scope === "sessions"
            ? { provider: "gemini", encryptedApiKey, createdAt: now - 3_600_000, expiresAt: now + 20 * 3_600_000 }
            : { provider: "openrouter", encryptedApiKey, createdAt: now - 86_400_000, updatedAt: now - 86_400_000 },
        );
        const ttl = scope === "sessions" ? 20 * 3600 : undefined;
        const options = format === "v2" ? recordPutOptions(value, ttl) : ttl === undefined ? undefined : { expirationTtl: ttl };
        await kv.put(key, value, options);
        seeded.push({ key, apiKey, format });
      }
    }
  }
  return seeded;
}
