import { parseConfig } from "../../worker/src/config";
import { ScriptError, type ScriptIo } from "./cli";
import { loadConfigSources, mergeLayers } from "./config-rules";
import { fetchRotationCounters } from "./metrics-client";
import { fallbackTrend, loadRotationState, saveRotationState, ttlVerdict, type RotationState } from "./rotation-state";
import { PREVIOUS_SECRET } from "./secrets";
import { runWranglerOrFail } from "./wrangler";

export interface FinishOptions {
  tomlPath: string;
  statePath: string;
  metricsUrl?: string;
  intervalSeconds: number;
  force: boolean;
}

/** Refuses (unless --force) while fallbackDecrypts still rises; records the reading either way. */
async function checkFallbackQuiet(io: ScriptIo, options: FinishOptions, state: RotationState | null): Promise<string | null> {
  if (!options.metricsUrl) {
    io.out("  No --metrics-url: fallbackDecrypts not verified (pass --metrics-url to check that nothing still needs the previous secret).");
    return null;
  }
  const first = await fetchRotationCounters(io, options.metricsUrl);
  let trend: ReturnType<typeof fallbackTrend> = "reset";
  if (state?.fallbackReading) {
    trend = fallbackTrend(state.fallbackReading.value, first.fallbackDecrypts);
    io.out(`  fallbackDecrypts: ${state.fallbackReading.value} at ${new Date(state.fallbackReading.at).toISOString()} → ${first.fallbackDecrypts} now (${trend}).`);
  }
  let latest = first.fallbackDecrypts;
  if (trend === "reset") {
    io.out(`  Reading fallbackDecrypts twice, ${options.intervalSeconds} s apart…`);
    await io.sleep(options.intervalSeconds * 1000);
    latest = (await fetchRotationCounters(io, options.metricsUrl)).fallbackDecrypts;
    trend = fallbackTrend(first.fallbackDecrypts, latest);
    io.out(`  fallbackDecrypts: ${first.fallbackDecrypts} → ${latest} (${trend === "reset" ? "isolate restarted" : trend}).`);
  }
  if (state) saveRotationState(options.statePath, { ...state, fallbackReading: { value: latest, at: io.now() } });
  return trend === "increasing" ? "fallbackDecrypts is still increasing: records encrypted with the previous secret are still being read." : null;
}

/** `worker:rotate -- --finish`: deletes KEY_ENCRYPTION_SECRET_PREV once nothing needs it any more. */
export async function finishRotation(io: ScriptIo, options: FinishOptions): Promise<number> {
  const state = loadRotationState(options.statePath);
  if (state?.finishedAt) io.out(`  The recorded rotation was already finished at ${new Date(state.finishedAt).toISOString()}.`);
  const ttlSeconds = parseConfig(mergeLayers(loadConfigSources(options.tomlPath, "deploy"), io.env, "deploy")).sessionTtlSeconds;

  io.out("Finish 1/2 — is the previous secret still needed?");
  const refusals: string[] = [];
  if (state && state.completedSteps < 4) refusals.push(`the drill stopped after step ${state.completedSteps}; run \`npm run worker:rotate -- --resume-from ${state.completedSteps + 1}\` first.`);
  const ttl = ttlVerdict(state, io.now(), ttlSeconds);
  if (!ttl.ok) refusals.push(ttl.reason);
  const fallback = await checkFallbackQuiet(io, options, state);
  if (fallback) refusals.push(fallback);
  if (refusals.length > 0) {
    if (!options.force) {
      throw new ScriptError(
        [`not deleting ${PREVIOUS_SECRET}:`, ...refusals.map((r) => `  - ${r}`), "Wait and re-run `npm run worker:rotate -- --finish`, or add --force to delete it anyway (sessions still on the old secret get AUTH_EXPIRED and must reconnect)."].join("\n"),
      );
    }
    io.out(`  --force: ignoring ${refusals.length} refusal(s):`);
    for (const refusal of refusals) io.out(`    - ${refusal}`);
  } else {
    io.out("  ✔ The session TTL has passed and nothing still falls back to the previous secret.");
  }

  io.out(`Finish 2/2 — delete ${PREVIOUS_SECRET}`);
  // wrangler 4 has no --force for `secret delete`: without a TTY it answers its own prompt "yes".
  await runWranglerOrFail(io, { args: ["secret", "delete", PREVIOUS_SECRET], tomlPath: options.tomlPath }, `Deleting ${PREVIOUS_SECRET}`, "Re-run `npm run worker:rotate -- --finish` once fixed.");
  const latest = loadRotationState(options.statePath);
  if (latest) saveRotationState(options.statePath, { ...latest, finishedAt: io.now() });
  io.out("✔ Rotation finished: only the new KEY_ENCRYPTION_SECRET remains.");
  return 0;
}
