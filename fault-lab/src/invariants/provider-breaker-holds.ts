import type { Invariant } from "./invariants";
import type { AttemptRecord, ClientExchange, Trace } from "./trace";

/**
 * Provider invariants (docs/api.md#ai-providers), checked from what the fakes saw: when each attempt arrived, when
 * it ended and how, and which client request made it. Traces without that data (workerd) pass.
 */
const violation = (invariant: string, message: string) => ({ invariant, message });

const isProvider = (attempt: AttemptRecord): boolean => attempt.server === "gemini" || attempt.server === "openrouter";
/**
 * What one attempt tells the breaker (docs/decisions/0003): a provider fault (timeout, network
 * error, 5xx, a 2xx that is not JSON) is a failure; one key's outcome (429, 401, 403, the fake
 * Gemini's 400 API_KEY_INVALID) is neutral and not reported, except by the probe; the rest succeed.
 */
type Verdict = "failure" | "neutral" | "success";
function verdictOf(attempt: AttemptRecord): Verdict {
  if (attempt.outcome === "client-gone" || attempt.outcome === "reset") return "failure";
  if (attempt.status === null) return "success";
  const malformed = attempt.faults.includes("malformed-json");
  if (attempt.status >= 500 || (attempt.status >= 200 && attempt.status < 300 && malformed)) return "failure";
  if (attempt.status === 429 || attempt.status === 401 || attempt.status === 403) return "neutral";
  if (attempt.server === "gemini" && attempt.status === 400 && !malformed) return "neutral";
  return "success";
}
const attemptFailed = (attempt: AttemptRecord): boolean => verdictOf(attempt) === "failure";
const observed = (attempt: AttemptRecord): attempt is AttemptRecord & { settledAt: number; clientRequestId: string; clientStep: number } =>
  isProvider(attempt) && typeof attempt.settledAt === "number" && typeof attempt.clientRequestId === "string" && typeof attempt.clientStep === "number";
const clientKey = (step: number, requestId: string): string => `${step}/${requestId}`;

/**
 * A hang is cut at exactly PROVIDER_TIMEOUT_MS and an answer before it is taken; a request whose
 * last attempt timed out gets 504 TIMEOUT provider_timeout with Retry-After 5 (or, when the retry
 * was refused by the open breaker, 503 provider_circuit_open), and provider_timeout only then.
 */
export const providerTimeoutsAre504: Invariant = (trace) => {
  const lastAttempt = new Map<string, AttemptRecord & { settledAt: number }>();
  for (const attempt of trace.attempts) {
    if (!observed(attempt)) continue;
    const { providerTimeoutMs } = trace.epochs[attempt.epoch]!.config;
    const lasted = attempt.settledAt - attempt.t;
    if (attempt.outcome === "client-gone" && lasted !== providerTimeoutMs) {
      return violation("provider-timeout", `a ${attempt.server} attempt of ${attempt.clientRequestId} was abandoned after ${lasted} ms; PROVIDER_TIMEOUT_MS is ${providerTimeoutMs}`);
    }
    if (attempt.outcome === "answered" && lasted >= providerTimeoutMs) {
      return violation("provider-timeout", `a ${attempt.server} attempt of ${attempt.clientRequestId} was still waited for after ${lasted} ms; PROVIDER_TIMEOUT_MS is ${providerTimeoutMs}`);
    }
    lastAttempt.set(clientKey(attempt.clientStep, attempt.clientRequestId), attempt);
  }
  for (const exchange of trace.exchanges) {
    const last = lastAttempt.get(clientKey(exchange.step, exchange.requestId));
    const cause = exchange.envelope?.cause;
    const timedOut = last?.outcome === "client-gone";
    if (cause === "provider_timeout" && !timedOut) {
      return violation("provider-timeout", `${exchange.requestId} got provider_timeout but its last provider attempt was ${last ? `${last.outcome} ${last.status ?? ""}`.trim() : "never sent"}`);
    }
    if (!timedOut || cause === "provider_circuit_open") continue;
    if (!isTimeoutAnswer(exchange)) {
      return violation("provider-timeout", `${exchange.requestId} (${exchange.path}): its last provider attempt timed out, but it got ${exchange.status} ${String(exchange.envelope?.code ?? "")} ${String(cause ?? "")} Retry-After ${JSON.stringify(exchange.retryAfter)}; expected 504 TIMEOUT provider_timeout, Retry-After 5`);
    }
  }
  return null;
};

const isTimeoutAnswer = (exchange: ClientExchange): boolean =>
  exchange.status === 504 && exchange.envelope?.code === "TIMEOUT" && exchange.envelope.cause === "provider_timeout" && exchange.envelope.retryable === true && exchange.retryAfter === "5";

type BreakerModel =
  | { phase: "closed"; failures: number }
  | { phase: "open"; since: number; until: number; why: string }
  | { phase: "half-open"; probe: AttemptRecord; deadline: number };

interface Edge {
  t: number;
  kind: "start" | "end";
  attempt: AttemptRecord & { settledAt: number };
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
function atInstant(states: BreakerModel[], edges: Edge[], trace: Trace, server: string): { states: BreakerModel[] } | { violation: ReturnType<typeof violation> } {
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
    if (admitted.size === 0) return { violation: violation("provider-breaker", `${edge.attempt.clientRequestId} (${server}, t=${edge.t}) went upstream ${describeRefusal(branches[0]!.state, edge)}`) };
    branches = [...admitted.values()];
  }
  return { states: dedupe(branches.flatMap((branch) => apply(branch, instant.length).map((done) => done.state))) };
}

/**
 * The shared provider breaker, modelled from the attempts alone: the `threshold`-th consecutive
 * failed attempt opens it for `openMs`, no attempt goes upstream while open, then exactly one probe
 * (another only after the lost-probe deadline, 2 × timeout + 1 s). Reports that end at the same
 * virtual instant may reach the breaker in any order, so the model tracks every state they allow and
 * flags an attempt only when none of them admits it. Checked until the first Durable Object outage:
 * after that the Worker uses per-isolate fallbacks.
 */
export const providerBreakerHolds: Invariant = (trace) => {
  const outageAt = trace.steps.find((step) => step.doDown)?.t ?? Number.POSITIVE_INFINITY;
  for (const server of ["gemini", "openrouter"] as const) {
    const edges: Edge[] = [];
    for (const attempt of trace.attempts) {
      if (attempt.server !== server || !observed(attempt) || attempt.t >= outageAt) continue;
      edges.push({ t: attempt.t, kind: "start", attempt }, { t: attempt.settledAt, kind: "end", attempt });
    }
    edges.sort((a, b) => a.t - b.t || a.attempt.seq - b.attempt.seq);
    let states: BreakerModel[] = [{ phase: "closed", failures: 0 }];
    for (let index = 0; index < edges.length; ) {
      const t = edges[index]!.t;
      let next = index;
      while (next < edges.length && edges[next]!.t === t) next += 1;
      const found = atInstant(states, edges.slice(index, next), trace, server);
      if ("violation" in found) return found.violation;
      states = found.states;
      index = next;
    }
  }
  return null;
};
