/** What `npm run bench` and `npm run bench:breakdown` share: the request, the Node servers and the session around a run. */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { startChild, waitForLine, type Child } from "../lib/child";
import { chooseLoadTool, type LoadTool } from "./load-tool";
import { readCompatibility, workerdVersion } from "./workerd";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const WRANGLER_TOML = path.join(ROOT, "worker", "wrangler.toml");
/** 202 bytes of JSON, the size of a typical PocketBrain sync push. */
export const REQUEST_BODY = JSON.stringify({ deviceId: "bench-device-0001", cursor: "c-000000000000000041", changes: [{ id: "note-1", op: "upsert", title: "Bench note", body: "x".repeat(53), version: 7 }] });
export const REQUEST = { method: "POST" as const, body: REQUEST_BODY, headers: { "content-type": "application/json" } };

/** Starts `server-child.ts <args>` in its own process (its own event loop, as a separate host would have). */
export async function startNodeServer(args: string[], what: string): Promise<{ child: Child; origin: string }> {
  const child = startChild(process.execPath, ["--import", "tsx", path.join(ROOT, "load", "bench", "server-child.ts"), ...args]);
  try {
    const port = await waitForLine(child, child.process.stdout as Readable, (line) => /^READY (\d+)$/.exec(line)?.[1], 15_000, what);
    return { child, origin: `http://127.0.0.1:${port}` };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

/** `--duration <s>` (1..30 whole seconds), else `fallback`. */
export function durationFromArgs(argv: readonly string[], fallback: number): number {
  const index = argv.indexOf("--duration");
  if (index === -1) return fallback;
  const value = Number(argv[index + 1]);
  if (!Number.isFinite(value) || value < 1 || value > 30) throw new Error("--duration takes whole seconds between 1 and 30.");
  return Math.round(value);
}

export interface BenchSession {
  /** A scratch folder, removed when the run ends. */
  tmp: string;
  compatibility: ReturnType<typeof readCompatibility>;
  tool: LoadTool;
  /** The instant fake backend every target forwards to. */
  backendOrigin: string;
  /** Registers a stop; stops run in reverse order when the run ends, however it ends. */
  defer(stop: () => Promise<void>): void;
}

/**
 * Runs one bench: reads its options (before anything starts), prints the machine line, starts the
 * fake backend, hands `body` the session and the options, then stops everything it started and
 * removes the scratch folder. A failure, bad options included, prints its message and exits 1.
 */
export function runBench<Options>(tmpPrefix: string, readOptions: () => Options, body: (session: BenchSession, options: Options) => Promise<void>): void {
  const run = async (): Promise<void> => {
    const options = readOptions();
    const tmp = await mkdtemp(path.join(os.tmpdir(), tmpPrefix));
    const stops: Array<() => Promise<void>> = [];
    try {
      const compatibility = readCompatibility(await readFile(WRANGLER_TOML, "utf8"));
      const tool = await chooseLoadTool(REQUEST, path.join(tmp, "request.lua"));
      const cpu = os.cpus()[0]?.model ?? "unknown cpu";
      console.log(`machine: cores=${os.cpus().length} (${cpu}) node=${process.version} workerd=${await workerdVersion()} load=${tool.name}`);
      const backend = await startNodeServer(["backend"], "fake backend");
      stops.push(() => backend.child.stop());
      await body({ tmp, compatibility, tool, backendOrigin: backend.origin, defer: (stop) => stops.push(stop) }, options);
    } finally {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
      await rm(tmp, { recursive: true, force: true });
    }
  };
  run().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
