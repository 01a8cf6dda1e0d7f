import type { ClientExchange, Trace } from "../trace/trace";
import { isHostileExchange } from "../hostile-client";
import { firstOnly } from "./types";

/**
 * `isolation` (issue 15): whatever the hostile client sends, every honest client's answers are what
 * they would be without it. Judged on two in-process runs of one schedule on the same seed: `run`
 * with the attacker, and `twin` where each attack step is a wait of the same virtual length
 * (src/explorer/hostile.ts `withoutHostile`). What keeps the two comparable by construction: the attacker's
 * attempts bypass the fault table, it draws backoff jitter from its own RNG stream, it has its own
 * IPs (so its own rate-limit buckets), and its provider calls are skipped while a provider fault is
 * active. Honest answers are compared in order on status, error code, cause and upstream attempts.
 *
 * One effect of the attacker is allowed: its /api/v2 requests add to the isolate's shared retry
 * budget (retries ≤ 20 % of requests), so an honest request may get a retry it would not have had.
 * At the first honest answer that differs with MORE attempts under the attacker, the rest of the
 * two runs is no longer comparable and the check stops there, passing.
 */
interface Seen {
  exchange: ClientExchange;
  attempts: number;
}

function honestAnswers(trace: Trace): Seen[] {
  const attempts = new Map<string, number>();
  for (const attempt of trace.attempts) {
    if (typeof attempt.clientRequestId !== "string") continue;
    const key = `${attempt.clientStep}/${attempt.clientRequestId}`;
    attempts.set(key, (attempts.get(key) ?? 0) + 1);
  }
  return trace.exchanges.filter((exchange) => !isHostileExchange(exchange)).map((exchange) => ({ exchange, attempts: attempts.get(`${exchange.step}/${exchange.requestId}`) ?? 0 }));
}

const outcome = ({ exchange, attempts }: Seen): string =>
  `${exchange.status}${exchange.envelope ? ` ${String(exchange.envelope.code)}${exchange.envelope.cause ? `/${String(exchange.envelope.cause)}` : ""}` : ""} after ${attempts} upstream attempt(s)`;

const same = (a: Seen, b: Seen): boolean =>
  a.exchange.status === b.exchange.status && a.exchange.envelope?.code === b.exchange.envelope?.code && a.exchange.envelope?.cause === b.exchange.envelope?.cause && a.attempts === b.attempts;

/** The run beside the attacker and its twin without the attacks. */
export interface TwinRuns {
  run: Trace;
  twin: Trace;
}

export const isolationHonestAnswers = firstOnly<TwinRuns>("isolation", "every honest client's answers are the same with and without the hostile client's attacks", ({ run, twin }) => {
  const withAttacker = honestAnswers(run);
  const without = honestAnswers(twin);
  const count = Math.min(withAttacker.length, without.length);
  for (let index = 0; index < count; index += 1) {
    const a = withAttacker[index]!;
    const b = without[index]!;
    // Different requests at the same position: one run stopped early (stuck); nothing more to compare.
    if (a.exchange.step !== b.exchange.step || a.exchange.requestId !== b.exchange.requestId) return null;
    if (same(a, b)) continue;
    if (a.attempts > b.attempts) return null;
    const { exchange } = a;
    return `honest ${exchange.method} ${exchange.path} (step ${exchange.step + 1}, ${exchange.requestId}) got ${outcome(a)} beside the hostile client, ${outcome(b)} without it`;
  }
  return null;
});
