import { describeStep } from "../steps/describe";
import type { Trace } from "../trace/trace";
import { circuitBands, retryAfterSeconds, toneForStatus, type Countdown, type Span, type StateSample, type Timeline } from "./model";

const PROVIDER_LANES = ["gemini", "openrouter"] as const;

/**
 * An explorer trace's timeline, on its virtual clock. The trace records the v2 circuit at every
 * attempt and answer, so the probe is exact here: the attempt made while the circuit was half-open.
 * Virtual time makes many events share one instant; their order is the trace's.
 */
export function traceTimeline(trace: Trace): Timeline {
  const times = [...trace.exchanges.map((e) => e.startedAt), ...trace.attempts.map((a) => a.t), ...trace.steps.map((s) => s.t)];
  const origin = times.length > 0 ? Math.min(...times) : 0;
  const spans: Span[] = [];
  const countdowns: Countdown[] = [];
  const remainingByRequest = new Map<string, number>();
  let countdownEnd = -Infinity;
  for (const exchange of [...trace.exchanges].sort((a, b) => a.startedAt - b.startedAt)) {
    const from = exchange.startedAt - origin;
    const answeredAt = exchange.headersAt - origin;
    const cause = typeof exchange.envelope?.cause === "string" ? exchange.envelope.cause : "";
    const label = `step ${exchange.step + 1} ${exchange.label} ${exchange.method} ${exchange.path} → ${[exchange.status, cause].filter(Boolean).join(" ")}`;
    const tone = toneForStatus(exchange.status);
    spans.push({ lane: "client", from, to: exchange.endedAt - origin, tone, label });
    spans.push({ lane: "Worker", from: answeredAt, to: answeredAt, tone, label, ...(cause === "circuit_open" ? { mark: "reject" as const } : {}) });
    remainingByRequest.set(exchange.requestId, exchange.circuit.remainingMs);
    const wait = retryAfterSeconds(exchange.retryAfter, exchange.headersAt);
    if (wait !== null && wait > 0 && answeredAt >= countdownEnd) {
      countdownEnd = answeredAt + wait * 1000;
      countdowns.push({ lane: "client", from: answeredAt, to: countdownEnd, label: `Retry-After ${wait} s` });
    }
  }
  const lanes = new Set<string>(["client", "Worker", "backend"]);
  for (const attempt of trace.attempts) {
    const from = attempt.t - origin;
    const end = attempt.settledAt ?? (attempt.durationMs !== undefined ? attempt.t + attempt.durationMs : attempt.t);
    const probe = attempt.server === "backend" && attempt.circuit.state === "half-open";
    lanes.add(attempt.server);
    const faults = attempt.faults.length > 0 ? ` [${attempt.faults.join(", ")}]` : "";
    spans.push({
      lane: attempt.server,
      from,
      to: end - origin,
      tone: attempt.status === null ? "bad" : toneForStatus(attempt.status),
      label: `${probe ? "probe: " : ""}${attempt.server} ${attempt.method} ${attempt.route} → ${attempt.status ?? attempt.outcome}${faults}`,
      ...(probe ? { mark: "probe" as const } : {}),
    });
  }
  const ordered = [...[...lanes].filter((lane) => !(PROVIDER_LANES as readonly string[]).includes(lane)), ...PROVIDER_LANES.filter((lane) => lanes.has(lane))];
  // circuitLog is in the order things happened (many share one virtual instant); answers carry the window.
  const samples: StateSample[] = trace.circuitLog.map((sample) => ({
    t: sample.t - origin,
    state: sample.state,
    remainingMs: sample.state === "open" ? (remainingByRequest.get(sample.requestId ?? "") ?? 0) : 0,
  }));
  const endMs = Math.max(1, ...spans.map((span) => span.to), ...countdowns.map((c) => c.to));
  const steps = trace.steps.map((step) => ({ t: step.t - origin, label: stepLabel(trace, step.index) }));
  return { lanes: ordered, spans, circuit: circuitBands(samples, endMs), countdowns, steps, endMs };
}

function stepLabel(trace: Trace, index: number): string {
  const step = trace.schedule.steps[index];
  return step ? describeStep(step) : `step ${index + 1}`;
}
