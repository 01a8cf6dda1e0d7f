import type { Trace } from "../trace/trace";

/** A broken invariant: its name (also the found file's name) and what was seen, readable. */
export interface Violation {
  invariant: string;
  message: string;
}

/**
 * How exactly times in the evidence can be compared. On the virtual clock every wait ends at its
 * exact instant (slack 0); on a real runtime (workerd) a fake stamps an attempt when it arrives and
 * ends it when it sees the abort, both a little off the Worker's own timer.
 */
export interface Judging {
  clock: "virtual" | "real";
  /** How far two timestamps of one event may disagree, ms. */
  timerSlackMs: number;
}

export const VIRTUAL_CLOCK: Judging = { clock: "virtual", timerSlackMs: 0 };
/** Seen on workerd: a hang cut at 800 ms is logged by the fake after 819 ms; 150 ms keeps a margin. */
export const REAL_CLOCK: Judging = { clock: "real", timerSlackMs: 150 };

/**
 * One rule the explorer (or the fleet simulation) checks. `Evidence` is what it judges: one
 * explorer run's trace by default, a pair of runs for `isolation`, a fleet run for the fleet rules.
 * `check` returns every violation it reports (empty: the rule holds); most stop at the first.
 */
export interface Invariant<Evidence = Trace> {
  /** Used in reports and found files (`<name>-<seed>.json`): never rename without migrating them. */
  readonly name: string;
  /** One line: the rule, for reports and docs. */
  readonly description: string;
  check(evidence: Evidence, judging: Judging): Violation[];
}

/** A rule that stops at its first violation, written as `(evidence) → violation | null`. */
export function firstOnly<Evidence = Trace>(name: string, description: string, find: (evidence: Evidence, judging: Judging) => string | null): Invariant<Evidence> {
  return {
    name,
    description,
    check(evidence, judging) {
      const message = find(evidence, judging);
      return message === null ? [] : [{ invariant: name, message }];
    },
  };
}
