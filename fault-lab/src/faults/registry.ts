import { err, ok, type Result } from "../result";
import { hang } from "./hang";
import { latency } from "./latency";
import { malformedJson } from "./malformed-json";
import { reset } from "./reset";
import { retryAfter } from "./retry-after";
import { slowBody } from "./slow-body";
import { sseStall } from "./sse-stall";
import { sseTruncate } from "./sse-truncate";
import { status } from "./status";
import type { FaultSpec, RegisteredFault } from "./types";

/** Every fault kind by name; a new fault is one new file plus its import and its entry here. */
const ALL: readonly RegisteredFault[] = [
  latency,
  hang,
  status,
  reset,
  sseTruncate,
  sseStall,
  malformedJson,
  retryAfter,
  slowBody,
];

export const FAULTS: ReadonlyMap<string, RegisteredFault> = new Map(ALL.map((fault) => [fault.kind, fault]));

export const FAULT_KINDS: readonly string[] = [...FAULTS.keys()];

/** A validated fault: the JSON it came from plus its parsed parameters. */
export interface ParsedFault {
  spec: FaultSpec;
  fault: RegisteredFault;
  params: unknown;
}

/** Validates one fault's JSON; unknown kinds list the valid ones. */
export function parseFault(raw: unknown): Result<ParsedFault> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return err("a fault must be an object like {\"kind\":\"status\",\"status\":503}");
  const spec = raw as FaultSpec;
  if (typeof spec.kind !== "string") return err(`fault.kind is required; valid kinds: ${FAULT_KINDS.join(", ")}`);
  const fault = FAULTS.get(spec.kind);
  if (!fault) return err(`unknown fault kind "${spec.kind}"; valid kinds: ${FAULT_KINDS.join(", ")}`);
  if (spec.probability !== undefined && (typeof spec.probability !== "number" || !(spec.probability >= 0 && spec.probability <= 1))) {
    return err(`${spec.kind}.probability must be a number in 0..1`);
  }
  if (spec.times !== undefined && (typeof spec.times !== "number" || !Number.isInteger(spec.times) || spec.times < 1)) {
    return err(`${spec.kind}.times must be an integer ≥ 1`);
  }
  const params = fault.parse(spec);
  return params.ok ? ok({ spec, fault, params: params.value }) : params;
}
