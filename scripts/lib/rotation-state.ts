import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

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
  /** Last fallbackDecrypts reading and when it was taken. */
  fallbackReading?: { value: number; at: number };
  finishedAt?: number;
}

export const ROTATION_STEPS = ["put the current secret as KEY_ENCRYPTION_SECRET_PREV", "generate and set a new KEY_ENCRYPTION_SECRET", "deploy", "report"] as const;

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

export type FinishVerdict = { ok: true } | { ok: false; reason: string };

/** Whether the session TTL has passed since the new secret went live. Pure. */
export function ttlVerdict(state: RotationState | null, now: number, ttlSeconds: number): FinishVerdict {
  if (!state || state.rotatedAt === undefined) return { ok: false, reason: "no completed rotation is recorded (step 2 never finished)." };
  const until = state.rotatedAt + ttlSeconds * 1000;
  if (now >= until) return { ok: true };
  const hours = ((until - now) / 3_600_000).toFixed(1);
  return { ok: false, reason: `sessions encrypted with the previous secret can live until ${new Date(until).toISOString()} (${hours} h from now, session TTL ${ttlSeconds} s).` };
}

/** Whether fallbackDecrypts went up between two readings; a lower value means the isolate restarted. Pure. */
export function fallbackTrend(before: number, after: number): "increasing" | "flat" | "reset" {
  if (after > before) return "increasing";
  return after < before ? "reset" : "flat";
}
