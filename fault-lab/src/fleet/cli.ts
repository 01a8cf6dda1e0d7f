import { parseArgs } from "node:util";
import { fleetFigures } from "./figures";
import { fleetViolations } from "./invariants/index";
import { writeFleetReport } from "./report";
import { runFleet, type FleetOptions } from "./run";
import { renderSummary } from "./summary";
import type { FleetTrace } from "./trace";

export const MAX_ISOLATES = 5000;

export type FleetArgs = Pick<FleetOptions, "isolates" | "seed" | "aiPerSec" | "v2PerSec" | "serviceMs">;

type Parsed = { ok: true; value: FleetArgs } | { ok: false; error: string };

function number(name: string, raw: string | undefined, rule: { integer: boolean; min: number; max: number }): number | string | undefined {
  if (raw === undefined) return undefined;
  const pattern = rule.integer ? /^-?\d+$/ : /^-?\d+(\.\d+)?$/;
  const value = Number(raw);
  if (!pattern.test(raw) || !Number.isFinite(value)) return `--${name} must be ${rule.integer ? "an integer" : "a number"} (got "${raw}")`;
  if (value < rule.min || value > rule.max) return `--${name} must be between ${rule.min} and ${rule.max} (got ${raw})`;
  return value;
}

/** `--fleet --isolates N --seed S [--ai-rate R] [--v2-rate R] [--service-ms M]`, validated. */
export function parseFleetArgs(argv: readonly string[]): Parsed {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: { fleet: { type: "boolean" }, isolates: { type: "string" }, seed: { type: "string" }, "ai-rate": { type: "string" }, "v2-rate": { type: "string" }, "service-ms": { type: "string" } },
    }));
  } catch (error) {
    return { ok: false, error: `${error instanceof Error ? error.message : String(error)} (fleet flags: --isolates N --seed S --ai-rate R --v2-rate R --service-ms M)` };
  }
  const read = {
    isolates: number("isolates", values.isolates as string | undefined, { integer: true, min: 1, max: MAX_ISOLATES }),
    seed: number("seed", values.seed as string | undefined, { integer: true, min: 0, max: 2 ** 32 - 1 }),
    aiPerSec: number("ai-rate", values["ai-rate"] as string | undefined, { integer: false, min: 0, max: 10 }),
    v2PerSec: number("v2-rate", values["v2-rate"] as string | undefined, { integer: false, min: 0, max: 10 }),
    serviceMs: number("service-ms", values["service-ms"] as string | undefined, { integer: false, min: 0, max: 100 }),
  };
  for (const value of Object.values(read)) if (typeof value === "string") return { ok: false, error: value };
  const parsed: FleetArgs = { isolates: (read.isolates as number | undefined) ?? 100, seed: (read.seed as number | undefined) ?? 1 };
  if (read.aiPerSec !== undefined) parsed.aiPerSec = read.aiPerSec as number;
  if (read.v2PerSec !== undefined) parsed.v2PerSec = read.v2PerSec as number;
  if (read.serviceMs !== undefined) parsed.serviceMs = read.serviceMs as number;
  if ((parsed.aiPerSec ?? 1) + (parsed.v2PerSec ?? 1) <= 0) return { ok: false, error: "--ai-rate and --v2-rate cannot both be 0" };
  return { ok: true, value: parsed };
}

export interface FleetCliIo {
  write(text: string): void;
  writeError(text: string): void;
  reportDir: string | null;
  now(): number;
  /** The simulation (tests pass a canned trace). */
  run?: (options: FleetArgs) => Promise<FleetTrace>;
}

/** Runs the fleet, prints the summary (last line `fleet …`), writes the report. 0 ok, 1 invariant broken, 2 bad flags. */
export async function runFleetCli(argv: readonly string[], io: FleetCliIo): Promise<number> {
  const parsed = parseFleetArgs(argv);
  if (!parsed.ok) {
    io.writeError(`lab --fleet: ${parsed.error}\n`);
    return 2;
  }
  const wallStart = io.now();
  const trace = await (io.run ?? runFleet)(parsed.value);
  const figures = fleetFigures(trace);
  const violations = fleetViolations(trace);
  const wallMs = io.now() - wallStart;
  if (io.reportDir) {
    const path = await writeFleetReport(io.reportDir, trace, figures, violations, wallMs);
    io.write(`fleet: report ${path}\n`);
  }
  io.write(renderSummary(trace, figures, violations, wallMs));
  return violations.length === 0 ? 0 : 1;
}
