/**
 * `npm run bench:breakdown`: where the Worker's /api/v2 cost over a trivial passthrough Worker goes.
 * Serves, on bare workerd beside the same instant backend: the trivial Worker, the trivial Worker
 * plus one docs/api.md#apiv2-passthrough primitive each (request id, header allow-list, attempt timer), all three
 * together, and the real Worker. Rounds interleave the targets so machine drift hits all of them;
 * prints medians per target against the trivial Worker. Prints, never asserts.
 * Options: --rounds N (default 5, 1..20), --duration <s> per measurement (default 2).
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { breakdownTable, type RoundSamples } from "./bench/report";
import { BENCH_PATH } from "./bench/servers";
import { durationFromArgs, REQUEST_BODY, ROOT, runBench, WRANGLER_TOML } from "./bench/setup";
import { serveWithWorkerd, serveWorkerBundle, type ServedWorker } from "./bench/workerd";

const TRIVIAL = "trivial Worker";
const VARIANTS: ReadonlyArray<{ name: string; file: string }> = [
  { name: TRIVIAL, file: path.join(ROOT, "load", "bench", "trivial-worker.js") },
  { name: "+ request id (UUID, response re-wrap)", file: path.join(ROOT, "load", "bench", "variants", "request-id.js") },
  { name: "+ header allow-list", file: path.join(ROOT, "load", "bench", "variants", "header-allowlist.js") },
  { name: "+ attempt timer (abort signal, race)", file: path.join(ROOT, "load", "bench", "variants", "attempt-timer.js") },
  { name: "all three primitives", file: path.join(ROOT, "load", "bench", "variants", "all-primitives.js") },
];
const REAL = "Worker /api/v2 (real)";

function roundsFromArgs(argv: readonly string[]): number {
  const index = argv.indexOf("--rounds");
  if (index === -1) return 5;
  const value = Number(argv[index + 1]);
  if (!Number.isInteger(value) || value < 1 || value > 20) throw new Error("--rounds takes a whole number between 1 and 20.");
  return value;
}

function readOptions(): { seconds: number; rounds: number } {
  const argv = process.argv.slice(2);
  return { seconds: durationFromArgs(argv, 2), rounds: roundsFromArgs(argv) };
}

runBench("pb-breakdown-", readOptions, async ({ tmp, compatibility, tool, backendOrigin, defer }, { seconds, rounds }) => {
  console.log(`request: POST ${BENCH_PATH} ${Buffer.byteLength(REQUEST_BODY)} B JSON; ${rounds} interleaved rounds of ${seconds} s at c=1 and ${seconds} s at c=50 per target`);
  const served: Array<{ name: string; worker: ServedWorker }> = [];
  for (const [index, variant] of VARIANTS.entries()) {
    const dir = path.join(tmp, `variant-${index}`);
    await mkdir(dir);
    const worker = await serveWithWorkerd(dir, variant.file, { ...compatibility, bindings: { BACKEND_ORIGIN: backendOrigin } });
    defer(() => worker.stop());
    served.push({ name: variant.name, worker });
  }
  const real = await serveWorkerBundle(WRANGLER_TOML, { VPS_API_ORIGIN: backendOrigin });
  defer(() => real.stop());
  served.push({ name: REAL, worker: real });

  const samples: RoundSamples[] = served.map(({ name }) => ({ name, p50Ms: [], requestsPerSec: [] }));
  for (let round = 1; round <= rounds; round += 1) {
    for (const [index, { worker }] of served.entries()) {
      const url = worker.url + BENCH_PATH;
      await tool.run(url, 10, 1);
      const latency = await tool.run(url, 1, seconds);
      const throughput = await tool.run(url, 50, seconds);
      if (latency.non2xx + throughput.non2xx > 0) throw new Error(`${served[index]?.name} answered non-2xx; its numbers would not measure the passthrough.`);
      samples[index]?.p50Ms.push(latency.p50Ms);
      samples[index]?.requestsPerSec.push(throughput.requestsPerSec);
    }
    process.stderr.write(`round ${round}/${rounds} done\n`);
  }
  console.log(breakdownTable(samples, TRIVIAL));
});
