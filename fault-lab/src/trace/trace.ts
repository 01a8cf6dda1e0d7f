import type { WorkerConfig } from "../../../worker/src/config";
import type { LabEvent } from "../control/lab-control";
import { hashKey } from "../fakes/ai-answers";
import type { CircuitView, MetricsSnapshot } from "../../../worker/src/metrics";
import type { Schedule } from "../steps/schedule";

/** The error envelope as the client read it (docs/api.md#error-envelope), or why it could not. */
export interface Envelope {
  code: unknown;
  message: unknown;
  retryable: unknown;
  cause: unknown;
  requestId: unknown;
}

/** One client request and what it saw, in virtual milliseconds. */
export interface ClientExchange {
  step: number;
  epoch: number;
  label: string;
  requestId: string;
  method: string;
  path: string;
  jar: string | null;
  startedAt: number;
  headersAt: number;
  endedAt: number;
  status: number;
  retryAfter: string | null;
  responseRequestId: string | null;
  contentType: string | null;
  /** Parsed error envelope for status ≥ 400 answered by the Worker itself. */
  envelope: Envelope | null;
  /** Set when a ≥ 400 body is not JSON or has no `error` object. */
  envelopeProblem: string | null;
  /** An SSE body: events received, whether the end event arrived, and the error that cut it. */
  sse: { events: number; complete: boolean; error: string | null } | null;
  /** GET /api/v1/auth/status: the `connected` field. */
  connected: boolean | null;
  /** The /api/v2 circuit as the Worker saw it when the answer's headers arrived. */
  circuit: CircuitView;
}

/** One upstream attempt: the lab's event plus what the explorer sampled at that moment. */
export interface AttemptRecord extends LabEvent {
  epoch: number;
  /** The /api/v2 circuit when the attempt reached the fake (the probe holds half-open by then). */
  circuit: CircuitView;
  /** Retry-After the fake sent, in seconds from the attempt. */
  retryAfterSec: number | null;
  /**
   * The client request that made this attempt, on both runtimes: in-process from the tagged fetch,
   * on workerd from the forwarded X-Request-Id (backend) or by time (providers never see the id,
   * targets/attempt-attribution.ts). Null when no client request can be named.
   */
  clientRequestId: string | null;
  /** The schedule step of that request (request ids repeat across steps). */
  clientStep: number | null;
  /**
   * When the fake's answer (or the abort) ended the exchange, on the trace's clock. Set on the
   * virtual clock only: on a real clock (workerd) it is null and `durationMs` holds the measured time.
   */
  settledAt: number | null;
}

/** The config numbers the invariants need, per isolate (epoch). */
export interface EpochConfig {
  vpsTimeoutMs: number;
  vpsRetries: number;
  vpsOpenMs: number;
  vpsThreshold: number;
  providerTimeoutMs: number;
  providerRetries: number;
  providerThreshold: number;
  providerOpenMs: number;
  noRetryPaths: string[];
}

/** One isolate's life: a restart (or a secret rotation, which restarts on workerd) starts the next. */
export interface Epoch {
  index: number;
  startedAt: number;
  config: EpochConfig;
  /** Counters read from the isolate at its end (absent when the runtime cannot read them). */
  metrics: MetricsSnapshot | null;
}

/** The world around a step when it started. */
export interface StepRecord {
  index: number;
  t: number;
  epoch: number;
  kvDown: boolean;
  doDown: boolean;
  /** Secret generation now active, and the one still accepted as PREV (null when none). */
  activeSecret: number;
  prevSecret: number | null;
}

/** The /api/v2 circuit sampled at every attempt and every answer, in the order they happened. */
export interface CircuitSample {
  kind: "attempt" | "response";
  t: number;
  epoch: number;
  requestId: string | null;
  state: CircuitView["state"];
}

export interface Trace {
  schedule: Schedule;
  /**
   * "virtual": in-process, every instant exact and reproducible; "real": workerd, wall-clock
   * milliseconds with scheduling noise, so an invariant that compares instants exactly skips them.
   */
  clock: "virtual" | "real";
  circuitLog: CircuitSample[];
  steps: StepRecord[];
  exchanges: ClientExchange[];
  attempts: AttemptRecord[];
  epochs: Epoch[];
  /** Console lines the Worker printed during the run. */
  logs: string[];
  /** Every response's headers and body text, for the secret scan (not part of the event log). */
  wire: string[];
  /** Provider keys and encryption secrets used by the run (never printed). */
  secrets: string[];
  /** Requests that never finished: the run stopped there. */
  stuck: { step: number; pending: string[] } | null;
  /** In-process only: virtual time when the last step ended (the twin run's last wait needs it). */
  endedAt?: number;
  /** In-process only: hostile steps not run because a provider fault was active (see hostile.ts). */
  hostileSkipped?: number[];
}

/** The run as JSON lines: the same seed must give byte-identical output (a test proves it). */
export function eventLog(trace: Trace): string {
  const lines: string[] = [];
  for (const step of trace.steps) {
    const data = trace.schedule.steps[step.index];
    const shown = data?.do === "connect" ? { ...data, key: `sha256:${hashKey(data.key)}` } : data;
    lines.push(JSON.stringify({ type: "step", ...step, step: shown }));
  }
  for (const exchange of trace.exchanges) lines.push(JSON.stringify({ type: "response", ...exchange }));
  for (const attempt of trace.attempts) lines.push(JSON.stringify({ type: "attempt", ...attempt }));
  for (const sample of trace.circuitLog) lines.push(JSON.stringify({ type: "circuit", ...sample }));
  for (const epoch of trace.epochs) lines.push(JSON.stringify({ type: "epoch", ...epoch }));
  if (trace.stuck) lines.push(JSON.stringify({ type: "stuck", ...trace.stuck }));
  return `${lines.join("\n")}\n`;
}

/** The parts of the Worker's config the invariants judge against, for one isolate epoch. */
export function epochConfig(config: WorkerConfig): EpochConfig {
  return {
    vpsTimeoutMs: config.vps.timeoutMs,
    vpsRetries: config.vps.retries,
    vpsOpenMs: config.vps.circuitOpenMs,
    vpsThreshold: config.vps.circuitFailureThreshold,
    providerTimeoutMs: config.providers.timeoutMs,
    providerRetries: config.providers.retries,
    providerThreshold: config.providers.circuitFailureThreshold,
    providerOpenMs: config.providers.circuitOpenMs,
    noRetryPaths: [...config.vps.noRetryPaths],
  };
}
