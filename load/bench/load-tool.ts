/**
 * Picks the load generator: wrk (µs resolution), installed from Debian when missing the way the
 * tests install Chromium; only when that fails, autocannon, whose whole-millisecond percentiles
 * the report refuses to print (it measures sub-millisecond differences).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
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

const ENSURE_DEPS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "scripts", "lib", "ensure-deps.sh");

/** Runs `ensure-deps.sh --wrk` (apt-get, idempotent); its messages go to stderr. */
function installWrk(): void {
  process.stderr.write("wrk not found: installing it (Debian package wrk)\n");
  spawnSync("bash", [ENSURE_DEPS, "--wrk"], { stdio: ["ignore", process.stderr, process.stderr], timeout: 180_000 });
}

export async function chooseLoadTool(request: WrkRequest, scriptPath: string): Promise<LoadTool> {
  let version = wrkVersion();
  if (!version) {
    installWrk();
    version = wrkVersion();
  }
  if (version) {
    await writeFile(scriptPath, wrkScript(request));
    return { name: version, run: (url, connections, durationSec) => runWrk({ url, connections, durationSec, scriptPath }) };
  }
  return {
    name: "autocannon 9 (wrk could not be installed: apt-get install -y wrk; latency percentiles not printed, autocannon reports whole milliseconds)",
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
        resolutionMs: 1,
      };
    },
  };
}
