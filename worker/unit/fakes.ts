import type { DoNamespace, KvListPage, KvStore, WorkerEnv } from "../src/env";

/** KV minimum expirationTtl (Cloudflare rejects smaller values). */
export const KV_MIN_TTL_SECONDS = 60;

export interface FakeKv extends KvStore {
  readonly entries: Map<string, { value: string; expiresAt: number | null; metadata?: unknown }>;
  /** Every value ever written, for "no plaintext key in KV" scans. */
  readonly writes: { key: string; value: string; expirationTtl?: number }[];
  failing: boolean;
  /** Real KV's list: keys in order, `limit` ≤ 1000, an opaque cursor, metadata and expiration per key. */
  list(options?: { prefix?: string; cursor?: string; limit?: number }): Promise<KvListPage>;
  /** Number of deletes ever made (rotation tests assert none). */
  readonly deletes: string[];
}

/** Map-backed KV that enforces the real rules: string values, TTL ≥ 60 s, expiry by the given clock. */
export function createFakeKv(now: () => number = () => Date.now()): FakeKv {
  const entries = new Map<string, { value: string; expiresAt: number | null; metadata?: unknown }>();
  const writes: FakeKv["writes"] = [];
  const deletes: string[] = [];
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt !== null && entry.expiresAt <= now()) entries.delete(key);
    return entries.get(key);
  };
  const kv: FakeKv = {
    entries,
    writes,
    deletes,
    failing: false,
    async list(options = {}) {
      if (kv.failing) throw new Error("KV LIST failed: simulated outage");
      const limit = options.limit ?? 1000;
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new Error(`KV LIST failed: 400 Invalid key_count_limit of ${limit}.`);
      const after = options.cursor ? atob(options.cursor) : "";
      const names = [...entries.keys()].filter((name) => name.startsWith(options.prefix ?? "") && name > after && live(name)).sort();
      const keys = names.slice(0, limit).map((name) => {
        const entry = entries.get(name)!;
        return { name, ...(entry.expiresAt !== null ? { expiration: Math.floor(entry.expiresAt / 1000) } : {}), ...(entry.metadata !== undefined ? { metadata: entry.metadata } : {}) };
      });
      const complete = names.length <= limit;
      return complete ? { keys, list_complete: true } : { keys, list_complete: false, cursor: btoa(keys.at(-1)!.name) };
    },
    async get(key) {
      if (kv.failing) throw new Error("KV GET failed: simulated outage");
      const entry = entries.get(key);
      if (!entry) return null;
      if (entry.expiresAt !== null && entry.expiresAt <= now()) {
        entries.delete(key);
        return null;
      }
      return entry.value;
    },
    async put(key, value, options) {
      if (kv.failing) throw new Error("KV PUT failed: simulated outage");
      if (typeof value !== "string") throw new TypeError("fake KV stores strings only");
      const ttl = options?.expirationTtl;
      if (ttl !== undefined && (!Number.isFinite(ttl) || ttl < KV_MIN_TTL_SECONDS)) {
        throw new Error(`KV PUT failed: 400 Invalid expiration_ttl of ${ttl}. Expiration TTL must be at least ${KV_MIN_TTL_SECONDS}.`);
      }
      writes.push({ key, value, ...(ttl !== undefined ? { expirationTtl: ttl } : {}) });
      if (options?.metadata !== undefined && JSON.stringify(options.metadata).length > 1024) throw new Error("KV PUT failed: metadata over 1024 bytes");
      entries.set(key, { value, expiresAt: ttl !== undefined ? now() + ttl * 1000 : null, ...(options?.metadata !== undefined ? { metadata: options.metadata } : {}) });
    },
    async delete(key) {
      if (kv.failing) throw new Error("KV DELETE failed: simulated outage");
      deletes.push(key);
      entries.delete(key);
    },
  };
  return kv;
}

/** A DO namespace whose stubs cannot be reached (the fallback path of docs/api.md#ai-providers and docs/api.md#rate-limiting). */
export function createUnreachableDoNamespace(): DoNamespace & { calls: number } {
  const namespace = {
    calls: 0,
    idFromName: (name: string) => ({ name }),
    get: () => ({
      fetch: async () => {
        namespace.calls += 1;
        throw new Error("Durable Object unreachable (simulated)");
      },
    }),
  };
  return namespace;
}

export const TEST_SECRET = "unit-test-secret-7f3a9c2e5b8d1046";
export const TEST_SECRET_PREV = "unit-test-secret-prev-2b7e4d9a0c5f1368";

/** Where `makeEnv` points the Worker's providers; the tests' lab network serves the fakes there (ai-helpers.ts `installProviderFakes`). */
export const GEMINI_BASE = "http://127.0.0.1:8611";
export const OPENROUTER_BASE = "http://127.0.0.1:8612";

/** A development-mode env with a valid secret and fake KV; override any variable per test. */
export function makeEnv(overrides: Partial<WorkerEnv> = {}, now?: () => number): WorkerEnv & { AI_SESSIONS: FakeKv } {
  return {
    NODE_ENV: "test",
    KEY_ENCRYPTION_SECRET: TEST_SECRET,
    AI_SESSIONS: createFakeKv(now),
    GEMINI_API_BASE: GEMINI_BASE,
    OPENROUTER_API_BASE: OPENROUTER_BASE,
    ...overrides,
  } as WorkerEnv & { AI_SESSIONS: FakeKv };
}
