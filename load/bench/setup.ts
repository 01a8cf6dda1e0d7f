/** What `npm run bench` and `npm run bench:breakdown` share: the request they send and the Node servers they start. */
import path from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { startChild, waitForLine, type Child } from "../lib/child";

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
