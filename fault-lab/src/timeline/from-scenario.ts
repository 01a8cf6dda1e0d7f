import type { ScenarioRun } from "../scenario/records";
import { circuitBands, retryAfterSeconds, toneForStatus, type Countdown, type Span, type Timeline } from "./model";

const PROVIDER_LANES = ["gemini", "openrouter"] as const;

/**
 * A lab scenario's timeline: the client's requests, the Worker's answers (a circuit_open answer
 * marked as the Worker's own), the fakes' attempts, the polled v2 circuit state. The lab polls the
 * circuit, so the probe is the first backend attempt made while the last sample was not closed:
 * an open circuit sends nothing upstream, so the first attempt after it is the half-open probe.
 */
export function scenarioTimeline(run: ScenarioRun): Timeline {
  const spans: Span[] = [];
  const countdowns: Countdown[] = [];
  let countdownEnd = -Infinity;
  const responses = Object.values(run.responses).flat().sort((a, b) => a.t - b.t);
  for (const record of responses) {
    const answeredAt = record.t + record.ms;
    const outcome = [record.status ?? record.error ?? "no answer", record.cause].filter(Boolean).join(" ");
    const label = `${record.label}#${record.index} ${record.method} ${record.path} → ${outcome} (${record.ms} ms)`;
    spans.push({ lane: "client", from: record.t, to: answeredAt, tone: toneForStatus(record.status), label });
    spans.push({ lane: "Worker", from: answeredAt, to: answeredAt, tone: toneForStatus(record.status), label, ...(record.cause === "circuit_open" ? { mark: "reject" as const } : {}) });
    const wait = retryAfterSeconds(record.retryAfter, run.startedAt + answeredAt);
    if (wait !== null && wait > 0 && answeredAt >= countdownEnd) {
      countdownEnd = answeredAt + wait * 1000;
      countdowns.push({ lane: "client", from: answeredAt, to: countdownEnd, label: `Retry-After ${wait} s` });
    }
  }

  const samples = [...run.circuit].sort((a, b) => a.t - b.t);
  const stateBefore = (t: number) => samples.filter((sample) => sample.t <= t).at(-1)?.state ?? "closed";
  let probedSinceClosed = false;
  const lanes = new Set<string>(["client", "Worker", "backend"]);
  for (const event of [...run.events].sort((a, b) => a.t - b.t)) {
    const from = event.t - run.startedAt;
    const to = from + (event.durationMs ?? 0);
    const state = event.server === "backend" ? stateBefore(from) : "closed";
    if (state === "closed") probedSinceClosed = false;
    const probe = event.server === "backend" && state !== "closed" && !probedSinceClosed;
    if (probe) probedSinceClosed = true;
    lanes.add(event.server);
    const faults = event.faults.length > 0 ? ` [${event.faults.join(", ")}]` : "";
    spans.push({
      lane: event.server,
      from,
      to,
      tone: event.status === null ? "bad" : toneForStatus(event.status),
      label: `${probe ? "probe: " : ""}${event.server} ${event.method} ${event.route} → ${event.status ?? event.outcome}${faults}`,
      ...(probe ? { mark: "probe" as const } : {}),
    });
  }
  const ordered = [...[...lanes].filter((lane) => !(PROVIDER_LANES as readonly string[]).includes(lane)), ...PROVIDER_LANES.filter((lane) => lanes.has(lane))];
  const endMs = Math.max(run.durationMs, ...spans.map((span) => span.to), ...countdowns.map((c) => c.to));
  return { lanes: ordered, spans, circuit: circuitBands(samples, endMs), countdowns, steps: run.steps.map((step) => ({ t: step.t, label: step.step })), endMs };
}
