/**
 * `npm run bench`: from ONE run, p50/p99 at c=1 and req/s at c=50 for the same request sent
 *   direct to an instant fake backend, through a 20-line Node proxy (one-hop floor), through a
 *   trivial passthrough Worker (runtime floor) and through the real Worker's /api/v2 passthrough,
 *   both Workers on bare workerd; plus the cost of a circuit-open answer. Prints, never asserts.
 * Options: --duration <s> per measurement (default 5, max 30).
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { LoadTool } from "./bench/load-tool";
import { compare, comparisonLine, resultTable, type TargetResult } from "./bench/report";
import { BENCH_PATH, FAILING_PATH } from "./bench/servers";
import { durationFromArgs, REQUEST, REQUEST_BODY, ROOT, runBench, startNodeServer, WRANGLER_TOML } from "./bench/setup";
import { serveWithWorkerd, serveWorkerBundle, type ServedWorker } from "./bench/workerd";

/** The circuit stays open for the whole circuit-open measurement (the maximum the config allows). */
const BENCH_CIRCUIT_OPEN_MS = "120000";

async function sendOnce(url: string): Promise<{ status: number; cause?: string }> {
  const response = await fetch(url, { ...REQUEST, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  let cause: string | undefined;
  try {
    cause = (JSON.parse(text) as { error?: { cause?: string } }).error?.cause;
  } catch {
    cause = undefined;
  }
  return { status: response.status, cause };
}

async function measure(tool: LoadTool, name: string, url: string, seconds: number): Promise<TargetResult> {
  await tool.run(url, 10, 1); // warm-up: JIT, connection pools
  const latency = await tool.run(url, 1, seconds);
  const throughput = await tool.run(url, 50, seconds);
  process.stderr.write(`measured ${name}\n`);
  return { name, latency, throughput };
}

/** Fails the backend route until the Worker answers circuit_open (bounded), so later requests measure the open answer. */
async function forceCircuitOpen(workerUrl: string): Promise<boolean> {
  for (let attempt = 0; attempt < 12; attempt += 1) {
    // Only failing requests: any success in between would reset the consecutive-failure count.
    const answer = await sendOnce(workerUrl + FAILING_PATH);
    if (answer.cause === "circuit_open") return true;
  }
  return false;
}

const readOptions = () => ({ seconds: durationFromArgs(process.argv.slice(2), 5) });

runBench("pb-bench-", readOptions, async ({ tmp, compatibility, tool, backendOrigin, defer }, { seconds }) => {
  const proxy = await startNodeServer(["node-proxy", backendOrigin], "node proxy");
  defer(() => proxy.child.stop());

  await mkdir(path.join(tmp, "trivial"));
  const trivial: ServedWorker = await serveWithWorkerd(path.join(tmp, "trivial"), path.join(ROOT, "load", "bench", "trivial-worker.js"), {
    ...compatibility,
    bindings: { BACKEND_ORIGIN: backendOrigin },
  });
  defer(() => trivial.stop());
  // Only what the /api/v2 path reads: it touches neither KV nor the Durable Object, so neither is bound.
  const worker: ServedWorker = await serveWorkerBundle(WRANGLER_TOML, { VPS_API_ORIGIN: backendOrigin, VPS_PROXY_CIRCUIT_OPEN_MS: BENCH_CIRCUIT_OPEN_MS });
  defer(() => worker.stop());
  console.log("serving: both Workers on bare `workerd serve` (capnp config, bundle from `wrangler deploy --dry-run`); Worker bindings: VPS_API_ORIGIN, VPS_PROXY_CIRCUIT_OPEN_MS only (no KV/DO: /api/v2 uses neither)");
  console.log(`request: POST ${BENCH_PATH} ${Buffer.byteLength(REQUEST_BODY)} B JSON; ${seconds} s per measurement; c=1 for latency, c=50 for throughput`);

  const sanity = await sendOnce(worker.url + BENCH_PATH);
  if (sanity.status !== 200) console.log(`warning: the Worker answered ${sanity.status}${sanity.cause ? ` (${sanity.cause})` : ""}, not 200: its row measures that answer`);

  const direct = await measure(tool, "direct (fake backend)", backendOrigin + BENCH_PATH, seconds);
  const nodeProxy = await measure(tool, "node http.request proxy", proxy.origin + BENCH_PATH, seconds);
  const trivialResult = await measure(tool, "trivial Worker (workerd)", trivial.url + BENCH_PATH, seconds);
  const workerResult = await measure(tool, "Worker /api/v2 (workerd)", worker.url + BENCH_PATH, seconds);
  const opened = await forceCircuitOpen(worker.url);
  const results = [direct, nodeProxy, trivialResult, workerResult];
  if (opened) results.push(await measure(tool, "Worker circuit-open 503", worker.url + BENCH_PATH, seconds));
  else console.log("warning: could not force the circuit open; circuit-open cost not measured");

  console.log(resultTable(results));
  console.log(comparisonLine("node-proxy-vs-direct added-latency", compare(nodeProxy, direct)));
  console.log(comparisonLine("trivial-worker-vs-direct added-latency", compare(trivialResult, direct)));
  console.log(comparisonLine("worker-vs-trivial-worker added-latency", compare(workerResult, trivialResult)));
  console.log(comparisonLine("added-latency", compare(workerResult, direct)));
});
