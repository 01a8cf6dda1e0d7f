import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseFlags, runAsEntrypoint, ScriptError, type ScriptIo } from "./lib/cli";
import { fetchRotationCounters } from "./lib/metrics-client";
import { resolveOpsHome, resolveWranglerToml } from "./lib/paths";
import { assertNoProblems, deployWorker, productionProblems } from "./lib/production";
import { finishRotation } from "./lib/rotation-finish";
import { loadRotationState, rotationStatePath, ROTATION_STEPS, saveRotationState, type RotationState } from "./lib/rotation-state";
import { ACTIVE_SECRET, generateSecret, PREVIOUS_SECRET, requireUploadableSecret } from "./lib/secrets";
import { runWranglerOrFail } from "./lib/wrangler";

const USAGE =
  "KEY_ENCRYPTION_SECRET=<current> npm run worker:rotate [-- --metrics-url <url>] [--print-new-secret-to <file>] [--resume-from <1-4>] [--config <wrangler.toml>]\n" +
  "       npm run worker:rotate -- --finish [--metrics-url <url>] [--interval <seconds>] [--force]";

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
      return `The rotation itself is done; only the report failed. ${resume}.`;
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
  await runWranglerOrFail(ctx.io, { args: ["secret", "put", name], tomlPath: ctx.tomlPath, stdin: value, redact }, `Setting ${name}`);
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
    default: {
      if (!ctx.metricsUrl) {
        io.out("  No --metrics-url: check reliability.secretRotation in GET /api/v1/metrics (fallbackDecrypts, reencryptSuccesses) yourself.");
        return { ...state, completedSteps: 4 };
      }
      const counters = await fetchRotationCounters(io, ctx.metricsUrl);
      io.out(`  fallbackDecrypts=${counters.fallbackDecrypts} reencryptSuccesses=${counters.reencryptSuccesses} reencryptFailures=${counters.reencryptFailures} decryptFailures=${counters.decryptFailures}`);
      if (counters.decryptFailures > 0) io.out("  ⚠ decryptFailures > 0: if it keeps rising, the secret given as the current one may have been wrong.");
      return { ...state, completedSteps: 4, fallbackReading: { value: counters.fallbackDecrypts, at: io.now() } };
    }
  }
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

/** worker:rotate — the monthly secret rotation drill (SPEC §3.3, §7). */
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
      interval: { type: "string", default: "60" },
    },
    USAGE,
  );
  const tomlPath = resolveWranglerToml(flags.config, io.env, io.cwd);
  const statePath = rotationStatePath(resolveOpsHome(io.env));
  const force = flags.force ?? false;
  const interval = Number(flags.interval);
  if (!Number.isFinite(interval) || interval < 0) throw new ScriptError("--interval must be a number of seconds.", 2);

  if (flags.finish) return finishRotation(io, { tomlPath, statePath, metricsUrl: flags["metrics-url"], intervalSeconds: interval, force });

  const resumeFrom = flags["resume-from"] === undefined ? 1 : Number(flags["resume-from"]);
  if (![1, 2, 3, 4].includes(resumeFrom)) throw new ScriptError("--resume-from must be 1, 2, 3 or 4.", 2);
  let state = startingState(io, loadRotationState(statePath), resumeFrom, force);

  io.out("Preflight — production config check");
  // Once step 2 is done the active secret lives only in Cloudflare, so it is not required here.
  const problems = productionProblems(tomlPath, io.env).filter((p) => resumeFrom === 1 || p.variable !== ACTIVE_SECRET);
  assertNoProblems(io, problems, tomlPath);

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
  const ttlHours = "the session TTL (24 h by default)";
  io.out(`✔ Rotation steps done. After ${ttlHours}, run: npm run worker:rotate -- --finish${ctx.metricsUrl ? ` --metrics-url ${ctx.metricsUrl}` : ""}`);
  return 0;
}

await runAsEntrypoint(import.meta.url, main);
