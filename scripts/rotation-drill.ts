import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseFlags, runAsEntrypoint, ScriptError, type ScriptIo } from "./lib/cli";
import { fetchRotationCounters } from "./lib/metrics-client";
import { resolveOpsHome, resolveWranglerToml } from "./lib/paths";
import { deployWorker, prepareProductionConfig, PRODUCTION_ARGS } from "./lib/production";
import { finishRotation } from "./lib/rotation-finish";
import { loadRotationState, rotationStatePath, ROTATION_STEPS, saveRotationState, type RotationState } from "./lib/rotation-state";
import { ACTIVE_SECRET, generateSecret, PREVIOUS_SECRET, requireUploadableSecret } from "./lib/secrets";
import { describeCounts, remoteWorkerFrom, runSweep } from "./lib/sweep-client";
import { runWranglerOrFail } from "./lib/wrangler";

const USAGE =
  "KEY_ENCRYPTION_SECRET=<current> WORKER_URL=https://<your-domain> ADMIN_TOKEN=… [METRICS_TOKEN=…] npm run worker:rotate [-- --print-new-secret-to <file>] [--resume-from <1-4>] [--metrics-url <url>] [--config <wrangler.toml>]\n" +
  "       WORKER_URL=… ADMIN_TOKEN=… npm run worker:rotate -- --finish [--force]";

/** What to do when step `step` fails: how to resume, and how to roll back what already changed. */
export function recoveryHint(step: number): string {
  const resume = `Resume with: npm run worker:rotate -- --resume-from ${step}`;
  switch (step) {
    case 1:
      return `Nothing was changed. ${resume} (or re-run without --resume-from).`;
    case 2:
      return `${PREVIOUS_SECRET} now holds the current secret; ${ACTIVE_SECRET} is unchanged, so users are unaffected. ${resume}. To roll back instead: npm run worker:rotate -- --finish --force (deletes ${PREVIOUS_SECRET}).`;
    case 3:
      return `Both secrets are already live (wrangler secret put deploys a new version). ${resume}. To roll back: pipe the old secret into \`npm run worker:secret:set\` and the new one (from --print-new-secret-to) into \`npm run worker:secret:set -- --name ${PREVIOUS_SECRET}\`.`;
    default:
      return `The new secret is live and the Worker still opens old records with ${PREVIOUS_SECRET}; only the re-seal sweep is unfinished. It is safe to re-run: ${resume}.`;
  }
}

interface DrillContext {
  io: ScriptIo;
  tomlPath: string;
  statePath: string;
  metricsUrl?: string;
  newSecretFile?: string;
}

async function putSecret(ctx: DrillContext, name: string, value: string, redact: string[]): Promise<void> {
  await runWranglerOrFail(ctx.io, { args: ["secret", "put", name, ...PRODUCTION_ARGS], tomlPath: ctx.tomlPath, stdin: value, redact }, `Setting ${name}`);
}

function writeNewSecretFile(path: string, secret: string): void {
  // 'wx': never overwrite an existing file (it may hold the only copy of an earlier secret).
  writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: "wx" });
}

async function runStep(ctx: DrillContext, step: number, state: RotationState): Promise<RotationState> {
  const { io } = ctx;
  io.out(`Step ${step}/4 — ${ROTATION_STEPS[step - 1]}`);
  const current = io.env[ACTIVE_SECRET];
  switch (step) {
    case 1: {
      const value = requireUploadableSecret(ACTIVE_SECRET, current);
      await putSecret(ctx, PREVIOUS_SECRET, value, [value]);
      io.out(`  ✔ ${PREVIOUS_SECRET} = the secret that was active (value not shown).`);
      return { ...state, completedSteps: 1 };
    }
    case 2: {
      const fresh = generateSecret();
      if (ctx.newSecretFile) {
        writeNewSecretFile(ctx.newSecretFile, fresh);
        io.out(`  Wrote the new secret to ${ctx.newSecretFile} (mode 0600). Move it to your password manager and delete the file.`);
      } else {
        io.out("  ⚠ The new secret is not stored anywhere but Cloudflare. Next month's drill needs it as KEY_ENCRYPTION_SECRET; use --print-new-secret-to <file> to keep a copy.");
      }
      await putSecret(ctx, ACTIVE_SECRET, fresh, [fresh, ...(current ? [current] : [])]);
      io.out(`  ✔ ${ACTIVE_SECRET} = a new 48-byte base64url secret (value not shown).`);
      return { ...state, completedSteps: 2, rotatedAt: io.now() };
    }
    case 3:
      await deployWorker(io, ctx.tomlPath);
      return { ...state, completedSteps: 3 };
    default:
      return sweepAndReport(ctx, state);
  }
}

/** Step 4: the Worker re-seals every record still on the old secret; then the metrics of one isolate. */
async function sweepAndReport(ctx: DrillContext, state: RotationState): Promise<RotationState> {
  const { io } = ctx;
  const worker = remoteWorkerFrom(io.env);
  if (!worker) throw new ScriptError("WORKER_URL is not set: the re-seal sweep runs in the deployed Worker (set WORKER_URL=https://<your-domain> and ADMIN_TOKEN).");
  const { totals, pages } = await runSweep(io, worker, false);
  io.out(`  ✔ Sweep done in ${pages} page(s): ${describeCounts(totals, false)}.`);
  if (totals.foreign > 0) io.out(`  ⚠ ${totals.foreign} record(s) name a secret that is neither the new one nor ${PREVIOUS_SECRET}: the "current" secret you gave in step 1 may be wrong. They are kept.`);
  const metricsUrl = ctx.metricsUrl ?? `${worker.url}/api/v1/metrics`;
  if (worker.metricsToken || ctx.metricsUrl) {
    const counters = await fetchRotationCounters(io, metricsUrl, worker.metricsToken);
    io.out(`  One isolate's counters: fallbackDecrypts=${counters.fallbackDecrypts} reencryptSuccesses=${counters.reencryptSuccesses} reencryptFailures=${counters.reencryptFailures} decryptFailures=${counters.decryptFailures}`);
  } else {
    io.out("  No METRICS_TOKEN: skipping the metrics report (the sweep's counts above are exact; metrics are per isolate).");
  }
  return { ...state, completedSteps: 4, lastSweep: { ...totals, at: io.now() } };
}

function startingState(io: ScriptIo, existing: RotationState | null, resumeFrom: number, force: boolean): RotationState {
  if (resumeFrom === 1) {
    if (existing && !existing.finishedAt && !force) {
      throw new ScriptError(
        `a rotation started ${new Date(existing.startedAt).toISOString()} is not finished (last completed step ${existing.completedSteps}). ` +
          (existing.completedSteps < 4 ? `Resume with --resume-from ${existing.completedSteps + 1}` : "Run `npm run worker:rotate -- --finish` first") +
          ", or add --force to start over.",
      );
    }
    return { version: 1, startedAt: io.now(), completedSteps: 0 };
  }
  if (!existing && !force) throw new ScriptError(`no rotation is recorded to resume; start with \`npm run worker:rotate\` (or add --force).`);
  const state = existing ?? { version: 1 as const, startedAt: io.now(), completedSteps: resumeFrom - 1 };
  if (state.completedSteps < resumeFrom - 1 && !force) {
    throw new ScriptError(`step ${state.completedSteps + 1} has not completed yet; resume with --resume-from ${state.completedSteps + 1}.`);
  }
  return state;
}

/** worker:rotate — the monthly secret rotation drill (docs/api.md#key-storage-and-rotation and docs/ops.md). */
export async function main(io: ScriptIo): Promise<number> {
  const flags = parseFlags(
    io.argv,
    {
      config: { type: "string" },
      "metrics-url": { type: "string" },
      "print-new-secret-to": { type: "string" },
      "resume-from": { type: "string" },
      finish: { type: "boolean" },
      force: { type: "boolean" },
      "allow-workers-dev": { type: "boolean" },
    },
    USAGE,
  );
  const tomlPath = resolveWranglerToml(flags.config, io.env, io.cwd);
  const statePath = rotationStatePath(resolveOpsHome(io.env));
  const force = flags.force ?? false;

  if (flags.finish) return finishRotation(io, { tomlPath, statePath, force });

  const resumeFrom = flags["resume-from"] === undefined ? 1 : Number(flags["resume-from"]);
  if (![1, 2, 3, 4].includes(resumeFrom)) throw new ScriptError("--resume-from must be 1, 2, 3 or 4.", 2);
  let state = startingState(io, loadRotationState(statePath), resumeFrom, force);

  io.out("Preflight — production config (written from the environment, checked as wrangler resolves it)");
  // Once step 2 is done the active secret lives only in Cloudflare, so it is not required here.
  await prepareProductionConfig(io, tomlPath, { requireKvId: true, allowWorkersDevFlag: flags["allow-workers-dev"], storedSecrets: resumeFrom === 1 ? [] : [ACTIVE_SECRET] });
  if (resumeFrom <= 4 && !remoteWorkerFrom(io.env)) io.out("  ⚠ WORKER_URL is not set: step 4 (the re-seal sweep in the deployed Worker) will stop and ask for it.");

  const ctx: DrillContext = {
    io,
    tomlPath,
    statePath,
    metricsUrl: flags["metrics-url"],
    newSecretFile: flags["print-new-secret-to"] ? resolve(io.cwd, flags["print-new-secret-to"]) : undefined,
  };
  for (let step = resumeFrom; step <= 4; step++) {
    try {
      state = await runStep(ctx, step, state);
    } catch (error) {
      if (error instanceof ScriptError) throw new ScriptError(`step ${step} failed: ${error.message}\n${recoveryHint(step)}`, error.exitCode);
      throw error;
    }
    saveRotationState(statePath, state);
  }
  io.out("✔ Rotation steps done. Now run: npm run worker:rotate -- --finish (it removes the previous secret once a count finds no record left on it).");
  return 0;
}

await runAsEntrypoint(import.meta.url, main);
