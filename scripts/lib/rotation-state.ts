import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { SweepCounts } from "../../worker/src/rotation-sweep";

/**
 * Progress of the monthly rotation drill, kept in <ops home>/rotation.json so a failed run can be
 * resumed and `--finish` knows when the previous secret may go. Holds times and counters only —
 * never a secret.
 */
export interface RotationState {
  version: 1;
  startedAt: number;
  /** Highest step (1..4) that completed. */
  completedSteps: number;
  /** When the new active secret was uploaded (step 2): old-secret sessions expire one TTL later. */
  rotatedAt?: number;
  /** Totals of the last re-seal sweep (step 4) and of the last count (--finish); never a secret. */
  lastSweep?: SweepCounts & { at: number };
  lastCount?: SweepCounts & { at: number };
  finishedAt?: number;
}

export const ROTATION_STEPS = ["put the current secret as KEY_ENCRYPTION_SECRET_PREV", "generate and set a new KEY_ENCRYPTION_SECRET", "deploy", "re-seal every old-key record in the Worker, and report"] as const;

export function rotationStatePath(opsHome: string): string {
  return join(opsHome, "rotation.json");
}

export function loadRotationState(path: string): RotationState | null {
  if (!existsSync(path)) return null;
  const parsed = JSON.parse(readFileSync(path, "utf8")) as RotationState;
  return parsed.version === 1 ? parsed : null;
}

export function saveRotationState(path: string, state: RotationState): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}
