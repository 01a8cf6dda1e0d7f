/**
 * Overhead scenario: pairs of the same GET, one direct to the backend and one through the Worker,
 * back to back (order alternating), so drift on a shared machine hits both sides of each pair.
 */
import { runArrivals } from "./arrivals";
import { timedRequest } from "./http";
import type { OverheadProfile } from "./profiles";
import { summarize } from "./stats";
import type { OverheadMeasurement } from "./thresholds";

export async function runOverhead(baseUrl: string, backendUrl: string, profile: OverheadProfile, log: (line: string) => void): Promise<OverheadMeasurement> {
  log(`overhead: ${profile.pairsPerSec} pairs/s for ${profile.durationSec} s on GET ${profile.path}`);
  const added: number[] = [];
  let pairs = 0;
  let errors = 0;
  const ok = (status: number) => status >= 200 && status < 400;
  // Warm-up (not counted): JIT, connection pools, the Worker's first-request work.
  for (let i = 0; i < 20; i += 1) await Promise.all([timedRequest(baseUrl + profile.path), timedRequest(backendUrl + profile.path)]);
  await runArrivals({ ratePerSec: profile.pairsPerSec, durationMs: profile.durationSec * 1000, maxInFlight: 100 }, async (index) => {
    const viaWorker = () => timedRequest(baseUrl + profile.path);
    const direct = () => timedRequest(backendUrl + profile.path);
    const [first, second] = index % 2 === 0 ? [await direct(), await viaWorker()] : [await viaWorker(), await direct()];
    const [d, w] = index % 2 === 0 ? [first, second] : [second, first];
    pairs += 1;
    errors += (ok(d.status) ? 0 : 1) + (ok(w.status) ? 0 : 1);
    if (ok(d.status) && ok(w.status)) added.push(w.ms - d.ms);
  });
  const summary = summarize(added);
  return { pairs, errors, addedP50Ms: added.length ? summary.p50 : null, addedP99Ms: added.length ? summary.p99 : null };
}
