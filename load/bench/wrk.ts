/** Drives wrk (µs latency resolution) with a Lua script whose done() prints one JSON line. */
import { writeFile } from "node:fs/promises";
import type { Readable } from "node:stream";
import { startChild, waitForLine } from "../lib/child";

export interface WrkRequest {
  method: "GET" | "POST";
  body?: string;
  headers?: Readonly<Record<string, string>>;
}

export interface WrkResult {
  requests: number;
  durationSec: number;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Responses outside 2xx/3xx. */
  non2xx: number;
  /** Connect, read, write and timeout errors. */
  socketErrors: number;
  /** The smallest latency step the tool reports (wrk: 1 µs; autocannon: 1 ms). */
  resolutionMs: number;
}

const MARKER = "WRK_JSON ";

function luaString(value: string): string {
  if (value.includes("]==]")) throw new Error("Failed to write the wrk script: value contains ]==].");
  return `[==[${value}]==]`;
}

/** The Lua script: request shape plus a done() hook that reports µs percentiles as JSON. */
export function wrkScript(request: WrkRequest): string {
  const lines = [`wrk.method = "${request.method}"`];
  if (request.body !== undefined) lines.push(`wrk.body = ${luaString(request.body)}`);
  for (const [name, value] of Object.entries(request.headers ?? {})) lines.push(`wrk.headers[ ${luaString(name)} ] = ${luaString(value)}`);
  lines.push(
    "done = function(summary, latency, requests)",
    "  local e = summary.errors",
    `  io.write(string.format('${MARKER}{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"non2xx":%d,"socket_errors":%d}\\n',`,
    "    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,",
    "    e.status, e.connect + e.read + e.write + e.timeout))",
    "end",
  );
  return lines.join("\n") + "\n";
}

export function parseWrkLine(line: string): WrkResult | undefined {
  if (!line.startsWith(MARKER)) return undefined;
  const raw = JSON.parse(line.slice(MARKER.length)) as Record<string, number>;
  const num = (key: string) => Number(raw[key] ?? Number.NaN);
  const durationSec = num("duration_us") / 1e6;
  return {
    requests: num("requests"),
    durationSec,
    requestsPerSec: num("requests") / durationSec,
    p50Ms: num("p50_us") / 1000,
    p99Ms: num("p99_us") / 1000,
    maxMs: num("max_us") / 1000,
    non2xx: num("non2xx"),
    socketErrors: num("socket_errors"),
    resolutionMs: 0.001,
  };
}

export interface WrkRun {
  url: string;
  connections: number;
  durationSec: number;
  scriptPath: string;
}

export async function writeWrkScript(file: string, request: WrkRequest): Promise<string> {
  await writeFile(file, wrkScript(request));
  return file;
}

/** One bounded wrk run (one thread: the machine has 2 cores shared with the servers under test). */
export async function runWrk(run: WrkRun): Promise<WrkResult> {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(run.url)) throw new Error(`Refusing to load ${run.url}: loopback (127.0.0.1) only.`);
  const args = ["-t1", `-c${run.connections}`, `-d${run.durationSec}s`, "--timeout", "5s", "-s", run.scriptPath, run.url];
  const child = startChild("wrk", args);
  try {
    return await waitForLine(child, child.process.stdout as Readable, parseWrkLine, (run.durationSec + 15) * 1000, "wrk");
  } finally {
    await child.stop();
  }
}
