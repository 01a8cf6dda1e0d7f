import { keyIdFor, open, seal, type Keyring } from "./crypto";
import type { KvListPage, KvStore } from "./env";
import { ACCOUNT_PREFIX, SESSION_PREFIX } from "./keys";
import { kidOfMetadata, kidOfStoredText, recordPutOptions } from "./record-metadata";
import { isSessionExpired, parseStoredRecord, resealedRecord, rewriteTtlSeconds, type StoreTarget, type StoredRecord } from "./sessions";

/**
 * The re-seal sweep of a secret rotation (docs/decisions/0005): pages through every `session:` and
 * `account:` record and re-seals, inside the Worker, each one still sealed under
 * KEY_ENCRYPTION_SECRET_PREV (or in the original's legacy format) with the active secret. KV
 * metadata `{ kid }` tells a record's secret from the listing alone, so records already on the
 * active secret cost no read. Nothing is ever deleted: a record whose key id names neither secret is
 * counted as `foreign`, one that no secret opens as `unreadable`.
 */
export const SWEEP_PREFIXES = [SESSION_PREFIX, ACCOUNT_PREFIX] as const;
export const MAX_SWEEP_LIMIT = 400;
/** Records opened and re-sealed at once within a page (each is one KV read and one write). */
const CONCURRENCY = 8;

export interface SweepCounts {
  /** Keys listed in this page. */
  scanned: number;
  /** Already on the active secret (from metadata, or read and tagged). */
  current: number;
  /** Found sealed under PREV (a legacy record opened only by PREV included). */
  oldKey: number;
  /** In the original's legacy `{iv,data}` format. */
  legacy: number;
  /** Re-sealed under the active secret in this page (0 in a dry run). */
  resealed: number;
  /** On the active secret but written before records carried metadata: metadata added. */
  tagged: number;
  /** Key id names neither configured secret: a configuration error, kept and counted. */
  foreign: number;
  /** Not a key record, or no configured secret opens it: kept and counted. */
  unreadable: number;
  /** Session past its expiry: left to KV's TTL. */
  expired: number;
  /** A KV write that failed; the record is still on its old secret. */
  failed: number;
}

export interface SweepPage extends SweepCounts {
  /** Pass back to continue; null when the sweep has gone through every record. */
  cursor: string | null;
  done: boolean;
}

export interface SweepDeps {
  kv: KvStore & { list: NonNullable<KvStore["list"]> };
  keyring: Keyring;
  now: () => number;
  sessionTtlSeconds: number;
}

export interface SweepOptions {
  cursor: string | null;
  limit: number;
  /** Count only: no write of any kind. */
  dryRun: boolean;
}

export const emptyCounts = (): SweepCounts => ({ scanned: 0, current: 0, oldKey: 0, legacy: 0, resealed: 0, tagged: 0, foreign: 0, unreadable: 0, expired: 0, failed: 0 });

/** Adds page counts into a running total. Pure. */
export function addCounts(total: SweepCounts, page: SweepCounts): SweepCounts {
  const out = { ...total };
  for (const name of Object.keys(out) as (keyof SweepCounts)[]) out[name] += page[name];
  return out;
}

/** `<prefix>|<kv cursor>`: which prefix the sweep is in and where KV's listing stopped. Pure. */
export function parseSweepCursor(cursor: string | null): { prefix: (typeof SWEEP_PREFIXES)[number]; kvCursor: string | undefined } | null {
  if (cursor === null) return { prefix: SWEEP_PREFIXES[0], kvCursor: undefined };
  const bar = cursor.indexOf("|");
  const prefix = SWEEP_PREFIXES.find((candidate) => candidate === cursor.slice(0, bar));
  if (bar < 0 || !prefix) return null;
  const kvCursor = cursor.slice(bar + 1);
  return { prefix, kvCursor: kvCursor === "" ? undefined : kvCursor };
}

type Outcome = keyof Pick<SweepCounts, "current" | "foreign" | "unreadable" | "expired">;
type Work = { outcome: Outcome } | { outcome: "reseal"; slot: "active" | "previous"; legacy: boolean; record: StoredRecord; plaintext: string; tagOnly: boolean; text: string };

interface Kids {
  active: string;
  previous: string | null;
}

function targetOf(key: string): StoreTarget {
  return key.startsWith(SESSION_PREFIX) ? { scope: "device", key, sessionId: key.slice(SESSION_PREFIX.length) } : { scope: "account", key };
}

async function classify(deps: SweepDeps, kids: Kids, entry: KvListPage["keys"][number]): Promise<Work> {
  if (entry.expiration !== undefined && entry.expiration * 1000 <= deps.now()) return { outcome: "expired" };
  const listedKid = kidOfMetadata(entry.metadata);
  if (listedKid !== null && listedKid === kids.active) return { outcome: "current" };
  if (listedKid !== null && listedKid !== kids.previous) return { outcome: "foreign" };
  const text = await deps.kv.get(entry.name);
  if (text === null) return { outcome: "expired" };
  const record = parseStoredRecord(text);
  if (!record) return { outcome: "unreadable" };
  const target = targetOf(entry.name);
  if (target.scope === "device" && isSessionExpired(record, deps.sessionTtlSeconds, deps.now())) return { outcome: "expired" };
  const storedKid = kidOfStoredText(text);
  if (storedKid !== null && storedKid !== kids.active && storedKid !== kids.previous) return { outcome: "foreign" };
  const opened = await open(record.encryptedApiKey, deps.keyring, entry.name);
  if (!opened.ok) return { outcome: "unreadable" };
  const { slot, format, plaintext } = opened.value;
  const tagOnly = slot === "active" && format === "v2";
  return { outcome: "reseal", slot, legacy: format === "legacy", record, plaintext, tagOnly, text };
}

async function write(deps: SweepDeps, key: string, work: Extract<Work, { outcome: "reseal" }>): Promise<void> {
  const target = targetOf(key);
  const now = deps.now();
  if (work.tagOnly) {
    // Already on the active key: only its metadata is added, the text is written back as it was.
    await deps.kv.put(key, work.text, recordPutOptions(work.text, rewriteTtlSeconds(target, work.record, now, deps.sessionTtlSeconds)));
    return;
  }
  const encryptedApiKey = await seal(work.plaintext, deps.keyring.active, key);
  // Not a user update: the account's updatedAt stays what the user last connected.
  const { value, ttl } = resealedRecord(target, work.record, encryptedApiKey, now, deps.sessionTtlSeconds, work.record.updatedAt ?? now);
  await deps.kv.put(key, value, recordPutOptions(value, ttl));
}

async function sweepEntry(deps: SweepDeps, kids: Kids, entry: KvListPage["keys"][number], dryRun: boolean, counts: SweepCounts): Promise<void> {
  const work = await classify(deps, kids, entry);
  if (work.outcome !== "reseal") {
    counts[work.outcome] += 1;
    return;
  }
  if (work.tagOnly) counts.current += 1;
  if (work.slot === "previous") counts.oldKey += 1;
  if (work.legacy) counts.legacy += 1;
  if (dryRun) return;
  try {
    await write(deps, entry.name, work);
    counts[work.tagOnly ? "tagged" : "resealed"] += 1;
  } catch {
    counts.failed += 1;
  }
}

/** One page of the sweep: lists up to `limit` keys from the cursor and handles each. */
export async function sweepPage(deps: SweepDeps, options: SweepOptions): Promise<SweepPage> {
  const position = parseSweepCursor(options.cursor);
  if (!position) throw new RangeError("invalid sweep cursor");
  const kids: Kids = { active: await keyIdFor(deps.keyring.active), previous: deps.keyring.previous === null ? null : await keyIdFor(deps.keyring.previous) };
  const page = await deps.kv.list({ prefix: position.prefix, limit: options.limit, ...(position.kvCursor ? { cursor: position.kvCursor } : {}) });
  const counts = emptyCounts();
  counts.scanned = page.keys.length;
  for (let i = 0; i < page.keys.length; i += CONCURRENCY) {
    await Promise.all(page.keys.slice(i, i + CONCURRENCY).map((entry) => sweepEntry(deps, kids, entry, options.dryRun, counts)));
  }
  const next = SWEEP_PREFIXES[SWEEP_PREFIXES.indexOf(position.prefix) + 1];
  const cursor = !page.list_complete && page.cursor ? `${position.prefix}|${page.cursor}` : next ? `${next}|` : null;
  return { ...counts, cursor, done: cursor === null };
}
