import { addCounts, emptyCounts, type SweepCounts, type SweepPage } from "../../worker/src/rotation-sweep";
import { ScriptError, type ScriptIo } from "./cli";

/** The deployed Worker as the ops scripts reach it: WORKER_URL plus the ADMIN_TOKEN / METRICS_TOKEN secrets. */
export interface RemoteWorker {
  url: string;
  adminToken: string | undefined;
  metricsToken: string | undefined;
}

/** Reads WORKER_URL (an http(s) origin) and the tokens from the environment; null when WORKER_URL is unset. */
export function remoteWorkerFrom(env: Readonly<Record<string, string | undefined>>): RemoteWorker | null {
  const raw = env.WORKER_URL?.trim();
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ScriptError(`WORKER_URL is not an absolute URL (e.g. https://pocketbrain.app).`, 2);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new ScriptError("WORKER_URL must be an http(s) URL.", 2);
  return { url: url.origin, adminToken: env.ADMIN_TOKEN?.trim() || undefined, metricsToken: env.METRICS_TOKEN?.trim() || undefined };
}

export interface SweepRun {
  totals: SweepCounts;
  pages: number;
}

const PAGE_LIMIT = 200;
const MAX_PAGES = 100_000;

async function postPage(io: ScriptIo, worker: RemoteWorker, cursor: string | null, dryRun: boolean): Promise<SweepPage> {
  let response: Response;
  try {
    response = await io.fetch(`${worker.url}/api/v1/admin/reseal`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${worker.adminToken}` },
      body: JSON.stringify({ cursor, limit: PAGE_LIMIT, dryRun }),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    throw new ScriptError(`could not reach ${worker.url}/api/v1/admin/reseal (${(error as Error).message}).`);
  }
  if (response.status === 404) throw new ScriptError(`${worker.url} answered 404 to the re-seal sweep: ADMIN_TOKEN does not match the Worker's secret, or ADMIN_TOKEN is not set there (npm run worker:secret:set -- --name ADMIN_TOKEN).`);
  if (!response.ok) throw new ScriptError(`the re-seal sweep failed with HTTP ${response.status}; it is safe to re-run.`);
  return (await response.json()) as SweepPage;
}

/**
 * Pages through the whole sweep (`dryRun`: count only), printing progress after each page.
 * The totals are exact counts from KV listings, not per-isolate counters.
 */
export async function runSweep(io: ScriptIo, worker: RemoteWorker, dryRun: boolean): Promise<SweepRun> {
  if (!worker.adminToken) throw new ScriptError("ADMIN_TOKEN is not set: the re-seal sweep needs the Worker's ADMIN_TOKEN secret in the environment.");
  let totals = emptyCounts();
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await postPage(io, worker, cursor, dryRun);
    totals = addCounts(totals, page);
    cursor = page.cursor;
    pages += 1;
    io.out(`  ${dryRun ? "count" : "sweep"} page ${pages}: ${totals.scanned} records so far — ${describeCounts(totals, dryRun)}`);
  } while (cursor !== null && pages < MAX_PAGES);
  return { totals, pages };
}

/** One line of counts for the operator. Pure. */
export function describeCounts(c: SweepCounts, dryRun: boolean): string {
  const parts = [`${c.oldKey} on the old key`, `${c.legacy} legacy`, `${c.current} current`];
  if (!dryRun) parts.push(`${c.resealed} re-sealed`);
  parts.push(`${c.foreign} foreign key id`, `${c.unreadable} unreadable`, `${c.expired} expired`);
  if (c.failed > 0) parts.push(`${c.failed} failed writes`);
  return parts.join(", ");
}
