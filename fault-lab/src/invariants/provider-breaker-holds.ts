import { attributed } from "./provider-attempts";
import { atInstant, type BreakerModel, type Edge } from "./provider-breaker-model";
import { firstOnly } from "./types";

/**
 * The shared provider breaker, modelled from the attempts alone (provider-breaker-model.ts): the
 * `threshold`-th consecutive failed attempt opens it for `openMs`, no attempt goes upstream while
 * open, then exactly one probe (another only after the lost-probe deadline, 2 × timeout + 1 s).
 * Reports that end at the same virtual instant may reach the breaker in any order, so the model
 * tracks every state they allow and flags an attempt only when none of them admits it. Checked
 * until the first Durable Object outage (after it the Worker uses per-isolate fallbacks), and on
 * the virtual clock only: on a real clock the order of a report and an acquire at the Durable
 * Object is not known from the fakes' timestamps, and the model has no slack for it.
 */
export const providerBreakerHolds = firstOnly("provider-breaker", "per provider: the 5th consecutive provider-side fault opens the shared breaker; nothing goes upstream while open; then one probe", (trace, judging) => {
  if (judging.clock !== "virtual") return null;
  const outageAt = trace.steps.find((step) => step.doDown)?.t ?? Number.POSITIVE_INFINITY;
  for (const server of ["gemini", "openrouter"] as const) {
    const edges: Edge[] = [];
    for (const record of trace.attempts) {
      const attempt = record.server === server ? attributed(record) : null;
      if (!attempt || attempt.t >= outageAt) continue;
      edges.push({ t: attempt.t, kind: "start", attempt }, { t: attempt.endedAt, kind: "end", attempt });
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
});
