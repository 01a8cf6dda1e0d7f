import { parseFault, type ParsedFault } from "../faults/registry";
import type { FaultSpec, ResponseShaping } from "../faults/types";
import { err, ok, type Result } from "../result";
import { createRng, type Rng } from "../rng";

export type ServerName = "backend" | "gemini" | "openrouter";
export const SERVER_NAMES: readonly ServerName[] = ["backend", "gemini", "openrouter"];

/** One request seen by a fake. `t` and `durationMs` are the only timing fields. */
export interface LabEvent {
  seq: number;
  t: number;
  server: ServerName;
  method: string;
  route: string;
  query: string;
  /** Kinds of the faults applied, in order. */
  faults: string[];
  /** Status sent, or null when the fake answered nothing (reset, hang, client gone). */
  status: number | null;
  outcome: "answered" | "reset" | "client-gone" | "pending";
  requestId: string | null;
  /** Names of the request headers received (lower case) — never values. */
  headerNames: string[];
  /** Names of the cookies received — never values. */
  cookieNames: string[];
  /** Short SHA-256 of the provider key used, never the key. */
  keyHash?: string;
  /** Which kind of AI request the provider fake recognised (validate, analyze, …). */
  intent?: string;
  durationMs?: number;
}

export interface FaultRule {
  route: string;
  server?: ServerName;
  faults: FaultSpec[];
}

interface ActiveFault extends ParsedFault {
  remaining: number | null;
}

interface StoredRule {
  route: string;
  server?: ServerName;
  faults: ActiveFault[];
}

/**
 * Watches every attempt any transport serves through this control (serveLab calls them): the
 * explorers sample the Worker's state while an attempt is held and read what the fake sent.
 */
export interface AttemptHooks {
  /** An attempt arrived, before any fault; may hold it (return a promise) or shape its answer. */
  onAttempt?(event: LabEvent, shaping: ResponseShaping): void | Promise<void>;
  /** A fault sent Retry-After (seconds, or an HTTP-date's offset in seconds). */
  onRetryAfter?(event: LabEvent, seconds: number): void;
  /** The answer's headers are out (or it was reset, or the client left before them). */
  onSettled?(event: LabEvent, response: Response | null): void;
}

/** In-process handle shared by the three fakes: fault table, seeded RNG and event log. */
export interface LabControl {
  readonly rng: Rng;
  addFaults(rule: FaultRule): Result<void>;
  listFaults(): (FaultRule & { faults: (FaultSpec & { remaining: number | null })[] })[];
  resetFaults(): void;
  events(server?: ServerName): LabEvent[];
  clearEvents(): void;
  stats(server?: ServerName): { requests: Record<string, number> };
  /** Restarts the RNG at a seed, so one scenario's draws don't depend on the previous one. */
  reseed(seed: number): void;
  /**
   * Faults that fire for this request, in order, each consuming `times` and drawing `probability`
   * only when reached: once a fault answers, the caller stops and later faults stay untouched.
   */
  takeFaults(server: ServerName, route: string): Generator<ParsedFault>;
  record(event: Omit<LabEvent, "seq">): LabEvent;
  /** Adds attempt observers until the returned function removes them. */
  observe(hooks: AttemptHooks): () => void;
  readonly observers: readonly AttemptHooks[];
  now(): number;
}

export function createLabControl(seed = 1, now: () => number = () => Date.now()): LabControl {
  let rules: StoredRule[] = [];
  let log: LabEvent[] = [];
  let seq = 0;
  let rng = createRng(seed);
  let observers: AttemptHooks[] = [];
  const control: LabControl = {
    get rng() {
      return rng;
    },
    addFaults(rule) {
      if (typeof rule.route !== "string" || (rule.route !== "*" && !rule.route.startsWith("/"))) {
        return err('route must be a path like "/api/v2/sync/pull" or "*"');
      }
      if (!Array.isArray(rule.faults)) return err("faults must be an array of fault objects");
      const parsed: ActiveFault[] = [];
      for (const [index, raw] of rule.faults.entries()) {
        const fault = parseFault(raw);
        if (!fault.ok) return err(`faults[${index}]: ${fault.error}`);
        parsed.push({ ...fault.value, remaining: fault.value.spec.times ?? null });
      }
      rules.push({ route: rule.route, ...(rule.server ? { server: rule.server } : {}), faults: parsed });
      return ok(undefined);
    },
    listFaults: () =>
      rules.map((rule) => ({
        route: rule.route,
        ...(rule.server ? { server: rule.server } : {}),
        faults: rule.faults.map((fault) => ({ ...fault.spec, remaining: fault.remaining })),
      })),
    resetFaults() {
      rules = [];
    },
    events: (server) => (server ? log.filter((event) => event.server === server) : [...log]),
    clearEvents() {
      log = [];
      seq = 0;
    },
    stats(server) {
      const requests: Record<string, number> = {};
      for (const event of control.events(server)) requests[event.route] = (requests[event.route] ?? 0) + 1;
      return { requests };
    },
    reseed(next) {
      rng = createRng(next);
    },
    *takeFaults(server, route) {
      for (const rule of rules) {
        if (rule.server && rule.server !== server) continue;
        if (rule.route !== "*" && rule.route !== route) continue;
        for (const fault of rule.faults) {
          if (fault.remaining === 0) continue;
          if (fault.spec.probability !== undefined && !rng.chance(fault.spec.probability)) continue;
          if (fault.remaining !== null) fault.remaining -= 1;
          yield fault;
        }
      }
    },
    record(event) {
      seq += 1;
      const stored = { seq, ...event };
      log.push(stored);
      return stored;
    },
    observe(hooks) {
      observers = [...observers, hooks];
      return () => {
        observers = observers.filter((one) => one !== hooks);
      };
    },
    get observers() {
      return observers;
    },
    now,
  };
  return control;
}

/** The event log without timing fields: what "same seed ⇒ same log" compares. */
export function withoutTiming(events: readonly LabEvent[]): Omit<LabEvent, "t" | "durationMs">[] {
  return events.map(({ t: _t, durationMs: _d, ...rest }) => rest);
}
