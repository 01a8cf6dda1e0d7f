/** Picks the load generator: wrk (µs resolution) when installed, else autocannon (whole-ms percentiles). */
import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import autocannon from "autocannon";
import { runWrk, wrkScript, type WrkRequest, type WrkResult } from "./wrk";

export interface LoadTool {
  name: string;
  run(url: string, connections: number, durationSec: number): Promise<WrkResult>;
}

/** "wrk 4.1.0"-style name, or null when wrk is not installed (`wrk -v` exits 1 even when it works). */
function wrkVersion(): string | null {
  const result = spawnSync("wrk", ["-v"], { encoding: "utf8", timeout: 5000 });
  if (result.error) return null;
  return /^wrk \S+/.exec(result.stdout)?.[0] ?? "wrk";
}

export async function chooseLoadTool(request: WrkRequest, scriptPath: string): Promise<LoadTool> {
  const version = wrkVersion();
  if (version) {
    await writeFile(scriptPath, wrkScript(request));
    return { name: version, run: (url, connections, durationSec) => runWrk({ url, connections, durationSec, scriptPath }) };
  }
  return {
    name: "autocannon 9 (wrk not found: percentiles are whole milliseconds)",
    async run(url, connections, durationSec) {
      const result = await autocannon({ url, connections, duration: durationSec, method: request.method, body: request.body, headers: { ...request.headers } });
      return {
        requests: result.requests.total,
        durationSec: result.duration,
        requestsPerSec: result.requests.total / result.duration,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        maxMs: result.latency.max,
        non2xx: result.non2xx,
        socketErrors: result.errors,
      };
    },
  };
}
