import { ScriptError, type ScriptIo } from "./cli";
import { PRODUCTION_ARGS } from "./production";
import { loadRotationState, saveRotationState } from "./rotation-state";
import { PREVIOUS_SECRET } from "./secrets";
import type { SweepCounts } from "../../worker/src/rotation-sweep";
import { remoteWorkerFrom, runSweep } from "./sweep-client";
import { runWranglerOrFail } from "./wrangler";

export interface FinishOptions {
  tomlPath: string;
  statePath: string;
  force: boolean;
}

/** Why PREV must stay, from an exact count of the records (a dry-run sweep). Pure. */
export function finishRefusals(counts: SweepCounts): string[] {
  const refusals: string[] = [];
  if (counts.oldKey > 0) refusals.push(`${counts.oldKey} record(s) are still sealed under the previous secret: run \`npm run worker:rotate -- --resume-from 4\` (the re-seal sweep) first.`);
  if (counts.legacy > 0) refusals.push(`${counts.legacy} record(s) are still in the original's legacy format: run the re-seal sweep first.`);
  if (counts.foreign > 0) refusals.push(`${counts.foreign} record(s) carry a key id that is neither KEY_ENCRYPTION_SECRET nor ${PREVIOUS_SECRET}: ${PREVIOUS_SECRET} may be the wrong secret. They are kept; set the right ${PREVIOUS_SECRET} and sweep again.`);
  if (counts.unreadable > 0) refusals.push(`${counts.unreadable} record(s) open with neither secret (or are not key records); they are kept.`);
  if (counts.failed > 0) refusals.push(`${counts.failed} re-seal write(s) failed; sweep again.`);
  return refusals;
}

/**
 * `worker:rotate -- --finish`: deletes KEY_ENCRYPTION_SECRET_PREV only when a count of every
 * `session:` and `account:` record, made by the deployed Worker, finds none left on the old key.
 */
export async function finishRotation(io: ScriptIo, options: FinishOptions): Promise<number> {
  const state = loadRotationState(options.statePath);
  if (state?.finishedAt) io.out(`  The recorded rotation was already finished at ${new Date(state.finishedAt).toISOString()}.`);

  io.out("Finish 1/2 — count the records still on the previous secret (dry-run sweep in the Worker)");
  const refusals: string[] = [];
  if (state && state.completedSteps < 4) refusals.push(`the drill stopped after step ${state.completedSteps}; run \`npm run worker:rotate -- --resume-from ${state.completedSteps + 1}\` first.`);
  const worker = remoteWorkerFrom(io.env);
  if (!worker) {
    refusals.push("WORKER_URL is not set, so the records on the previous secret cannot be counted (set WORKER_URL and ADMIN_TOKEN).");
  } else {
    const { totals } = await runSweep(io, worker, true);
    refusals.push(...finishRefusals(totals));
    if (state) saveRotationState(options.statePath, { ...state, lastCount: { ...totals, at: io.now() } });
  }
  if (refusals.length > 0) {
    if (!options.force) {
      throw new ScriptError(
        [`not deleting ${PREVIOUS_SECRET}:`, ...refusals.map((r) => `  - ${r}`), `Fix these and re-run \`npm run worker:rotate -- --finish\`, or add --force to delete it anyway (records still on the old secret then answer AUTH_EXPIRED until their users reconnect).`].join("\n"),
      );
    }
    io.out(`  --force: ignoring ${refusals.length} refusal(s):`);
    for (const refusal of refusals) io.out(`    - ${refusal}`);
  } else {
    io.out("  ✔ No record is left on the previous secret.");
  }

  io.out(`Finish 2/2 — delete ${PREVIOUS_SECRET}`);
  // wrangler 4 has no --force for `secret delete`: without a TTY it answers its own prompt "yes".
  await runWranglerOrFail(io, { args: ["secret", "delete", PREVIOUS_SECRET, ...PRODUCTION_ARGS], tomlPath: options.tomlPath }, `Deleting ${PREVIOUS_SECRET}`, "Re-run `npm run worker:rotate -- --finish` once fixed.");
  const latest = loadRotationState(options.statePath);
  if (latest) saveRotationState(options.statePath, { ...latest, finishedAt: io.now() });
  io.out("✔ Rotation finished: only the new KEY_ENCRYPTION_SECRET remains.");
  return 0;
}
