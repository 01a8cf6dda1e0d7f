import type { AttemptRecord, Trace } from "../trace/trace";
import { attemptFailed, verdictOf, type AttributedAttempt } from "./provider-attempts";

/**
 * A model of the shared provider breaker, read from attempts alone (no Worker code): the states it
 * may be in, how reports and acquires move it, and one virtual instant at a time. The rule it
 * models is decided in worker/src/control-plane-core.ts (the Durable Object's breaker).
 */
export type BreakerModel =
  | { phase: "closed"; failures: number }
  | { phase: "open"; since: number; until: number; why: string }
  | { phase: "half-open"; probe: AttemptRecord; deadline: number };

export interface Edge {
  t: number;
  kind: "start" | "end";
  attempt: AttributedAttempt;
}

interface BreakerRule {
  threshold: number;
  openMs: number;
  probeTimeoutMs: number;
}

const modelKey = (state: BreakerModel): string =>
  state.phase === "closed" ? `c${state.failures}` : state.phase === "open" ? `o${state.since}` : `h${state.probe.seq}:${state.deadline}`;

function dedupe(states: BreakerModel[]): BreakerModel[] {
  const seen = new Map<string, BreakerModel>();
  for (const state of states) if (!seen.has(modelKey(state))) seen.set(modelKey(state), state);
  return [...seen.values()];
}

/**
 * Closed with `failures`, then `successes` + `failed` reports in an unknown order (they ended at the
 * same virtual instant, so the Durable Object may have seen them in any order): every reachable state.
 */
function closedAfter(failures: number, successes: number, failed: number, t: number, rule: BreakerRule): BreakerModel[] {
  const open: BreakerModel = { phase: "open", since: t, until: t + rule.openMs, why: `${rule.threshold} consecutive failed attempts` };
  if (successes === 0) return failures + failed >= rule.threshold ? [open] : [{ phase: "closed", failures: failures + failed }];
  const states: BreakerModel[] = [];
  for (let trailing = 0; trailing <= Math.min(failed, rule.threshold - 1); trailing += 1) states.push({ phase: "closed", failures: trailing });
  if (failures + failed >= rule.threshold) states.push(open);
  return states;
}

/** Every state the breaker may be in after a group of reports that arrived at the same instant. */
function afterReports(state: BreakerModel, allEnded: Edge[], rule: BreakerRule): BreakerModel[] {
  const t = allEnded[0]!.t;
  const probeEdge = state.phase === "half-open" ? allEnded.find((edge) => edge.attempt === state.probe) : undefined;
  // Neutral attempts are never reported, except the probe's.
  const group = allEnded.filter((edge) => edge === probeEdge || verdictOf(edge.attempt) !== "neutral");
  if (group.length === 0) return [state];
  const successes = group.filter((edge) => !attemptFailed(edge.attempt)).length;
  if (state.phase === "closed") return closedAfter(state.failures, successes, group.length - successes, t, rule);
  if (state.phase === "open") return [state];
  const probe = group.find((edge) => edge.attempt === state.probe);
  if (!probe) return [state];
  if (attemptFailed(probe.attempt)) return [{ phase: "open", since: t, until: t + rule.openMs, why: "the half-open probe failed" }];
  // The probe closed it; the others may have reported before (ignored) or after (counted).
  const others = group.filter((edge) => edge !== probe);
  const otherFailures = others.filter((edge) => attemptFailed(edge.attempt)).length;
  return closedAfter(0, 1, otherFailures, t, rule);
}

/** The state after an attempt went upstream at `t`, or null when this state would have refused it. */
function afterStart(state: BreakerModel, edge: Edge, rule: BreakerRule): BreakerModel | null {
  const probe = (): BreakerModel => ({ phase: "half-open", probe: edge.attempt, deadline: edge.t + rule.probeTimeoutMs });
  if (state.phase === "closed") return state;
  if (state.phase === "open") {
    // An attempt at the very instant the circuit opened may have been admitted just before.
    if (edge.t <= state.since) return state;
    return edge.t >= state.until ? probe() : null;
  }
  return edge.t >= state.deadline ? probe() : null;
}

function describeRefusal(state: BreakerModel, edge: Edge): string {
  if (state.phase === "open") return `${edge.t - state.since} ms after the provider circuit opened (${state.why}); it stays open ${state.until - state.since} ms`;
  if (state.phase === "half-open") return `while the half-open probe (${state.probe.clientRequestId}, t=${state.probe.t}) was in flight`;
  return "while closed";
}

const ruleFor = (trace: Trace, edge: Edge): BreakerRule => {
  const { config } = trace.epochs[edge.attempt.epoch]!;
  return { threshold: config.providerThreshold, openMs: config.providerOpenMs, probeTimeoutMs: config.providerTimeoutMs * 2 + 1000 };
};

interface Branch {
  state: BreakerModel;
  /** How many of this instant's same-instant reports (in seq order) this reading has applied. */
  applied: number;
}

/**
 * One virtual instant. Reports of attempts that started earlier come first, as one unordered group
 * (the reading that forgives the most). An attempt that starts and ends at this very instant (a
 * fake answering at once) may report before or after a later attempt of the same instant acquires
 * its permit: each start is checked against every reading that applied none, some or all of the
 * earlier such reports. (Ordering every same-instant report before every start, as before, put an
 * instant probe's report before its own start and flagged the next caller.)
 */
export function atInstant(states: BreakerModel[], edges: Edge[], trace: Trace, server: string): { states: BreakerModel[] } | { violation: string } {
  const t = edges[0]!.t;
  const earlier = edges.filter((edge) => edge.kind === "end" && edge.attempt.t < t);
  const starts = edges.filter((edge) => edge.kind === "start");
  const instant = edges.filter((edge) => edge.kind === "end" && edge.attempt.t === t);
  const current = earlier.length > 0 ? dedupe(states.flatMap((state) => afterReports(state, earlier, ruleFor(trace, earlier[0]!)))) : states;
  let branches: Branch[] = current.map((state) => ({ state, applied: 0 }));
  const apply = (branch: Branch, upTo: number): Branch[] =>
    upTo <= branch.applied ? [branch] : afterReports(branch.state, instant.slice(branch.applied, upTo), ruleFor(trace, instant[branch.applied]!)).map((state) => ({ state, applied: upTo }));
  for (const edge of starts) {
    const rule = ruleFor(trace, edge);
    const before = instant.filter((end) => end.attempt.seq < edge.attempt.seq).length;
    const admitted = new Map<string, Branch>();
    for (const branch of branches) {
      for (let upTo = branch.applied; upTo <= Math.max(branch.applied, before); upTo += 1) {
        for (const candidate of apply(branch, upTo)) {
          const after = afterStart(candidate.state, edge, rule);
          if (after) admitted.set(`${modelKey(after)}|${candidate.applied}`, { state: after, applied: candidate.applied });
        }
      }
    }
    if (admitted.size === 0) return { violation: `${edge.attempt.clientRequestId} (${server}, t=${edge.t}) went upstream ${describeRefusal(branches[0]!.state, edge)}` };
    branches = [...admitted.values()];
  }
  return { states: dedupe(branches.flatMap((branch) => apply(branch, instant.length).map((done) => done.state))) };
}

