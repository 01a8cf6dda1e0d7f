import { err, ok, type Result } from "../result";
import type { FaultContext, FaultSpec } from "./types";

/** Small validators shared by the fault parsers; messages name the field. */
export function optionalInt(spec: FaultSpec, field: string, min: number, max: number): Result<number | undefined> {
  const value = spec[field];
  if (value === undefined) return ok(undefined);
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    return err(`${spec.kind}.${field} must be an integer in ${min}..${max} (got ${JSON.stringify(value)})`);
  }
  return ok(value);
}

export function requiredInt(spec: FaultSpec, field: string, min: number, max: number): Result<number> {
  if (spec[field] === undefined) return err(`${spec.kind}.${field} is required (an integer in ${min}..${max})`);
  return optionalInt(spec, field, min, max) as Result<number>;
}

/** A fixed number of milliseconds or a {min,max} range jittered by the seeded RNG. */
export type Millis = number | { min: number; max: number };

export function parseMillis(spec: FaultSpec, field: string, required: boolean): Result<Millis | undefined> {
  const value = spec[field];
  if (value === undefined) return required ? err(`${spec.kind}.${field} is required (ms or {min,max})`) : ok(undefined);
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return ok(value);
  if (typeof value === "object" && value !== null) {
    const { min, max } = value as { min?: unknown; max?: unknown };
    if (typeof min === "number" && typeof max === "number" && min >= 0 && max >= min) return ok({ min, max });
  }
  return err(`${spec.kind}.${field} must be a number of ms ≥ 0 or {min,max} with 0 ≤ min ≤ max (got ${JSON.stringify(value)})`);
}

/** Waits `ms` on the injected clock; rejects with the abort reason when the client goes away. */
export const pause = (ms: number, ctx: Pick<FaultContext, "clock" | "signal">): Promise<void> => ctx.clock.sleep(ms, ctx.signal);

const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/** A Response for any status a fault may send: statuses that carry no body drop it, as HTTP does. */
export function faultResponse(status: number, body: string, headers: Headers | Record<string, string>): Response {
  return new Response(NULL_BODY_STATUSES.has(status) ? null : body, { status, headers });
}
