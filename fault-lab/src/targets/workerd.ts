import { sleep as realSleep } from "../../../worker/src/deps";
import { parseConfig, type WorkerConfig } from "../../../worker/src/config";
import type { WorkerEnv } from "../../../worker/src/env";
import type { CircuitView, MetricsSnapshot } from "../../../worker/src/metrics";
import type { LabEvent } from "../control/lab-control";
import type { Stack } from "../stack/stack";
import { interpret } from "../steps/interpret";
import type { Schedule } from "../steps/schedule";
import { attributeAttempts } from "./attempt-attribution";
import { CLIENT_IP, clientExchange, readClientResponse, type ReadClock } from "./client";
import { secretFor } from "./secrets";
import type { Answer, ClientRequest, Target } from "./target";
import { epochConfig, type AttemptRecord, type ClientExchange, type EpochConfig, type Trace } from "../trace/trace";
import { scaleFault, scalePath, scaleWait, streamLimitMs, WORKERD_BASE_VARS, type TimeScale } from "./workerd-mapping";
import { installAttemptProbe, PROBE_KIND } from "./workerd-probe";

/** The stack the workerd runner drives (a `Stack` from fault-lab/src/stack/stack.ts fits). */
export type WorkerdStack = Pick<Stack, "workerUrl" | "control" | "restartWorker" | "workerVars" | "workerLogs" | "setKvOutage">;

/** A request with no response headers after this long counts as never answered ("stuck"). */
export const CLIENT_HEADERS_LIMIT_MS = 30_000;
const CLOSED: CircuitView = { state: "closed", open: false, openUntil: null, remainingMs: 0 };

export interface WorkerdRunStats {
  /** Steps skipped because workerd cannot reproduce them, by kind (doOutage). */
  skipped: Record<string, number>;
  /** Worker restarts (one per schedule plus restart/rotation steps) and their total wall time. */
  restarts: number;
  restartMs: number;
}

export interface WorkerdRunnerOptions {
  /** Merged over WORKERD_BASE_VARS for every schedule (a schedule's own workerVars win). */
  vars?: Record<string, string>;
  /** Test seam: changes the trace before the invariants read it (proves a broken input is reported). */
  tamper?(trace: Trace): void;
}

export interface WorkerdRunner {
  runSchedule(schedule: Schedule): Promise<Trace>;
  stats: WorkerdRunStats;
  /** Removes the observation hooks from the stack's control. */
  close(): void;
}

const scaleOf = (config: EpochConfig): TimeScale => ({ vpsTimeoutMs: config.vpsTimeoutMs, vpsOpenMs: config.vpsOpenMs, providerTimeoutMs: config.providerTimeoutMs });


/**
 * client.ts reads a body with a deadline on its ReadClock; on workerd that deadline is real time,
 * capped at the stream's own length plus slack (a stalled stream never ends by itself).
 */
const realTimeReader = (limitMs: number): ReadClock => ({ sleep: (ms: number, signal?: AbortSignal) => realSleep(Math.min(ms, limitMs), signal) });

/** A backend attempt carries the client's X-Request-Id (the Worker forwards it): its step is the exchange's. */
const stepOfRequest = (exchanges: readonly ClientExchange[], event: LabEvent): number | null =>
  event.requestId === null ? null : (exchanges.find((exchange) => exchange.requestId === event.requestId && exchange.startedAt <= event.t && event.t <= exchange.endedAt)?.step ?? null);

/**
 * Runs generated schedules against the Worker on workerd (one stack for the whole run): a restart
 * per schedule gives a fresh isolate (closed circuit, zero metrics), steps become real traffic and
 * faults (time-scaled by workerd-mapping.ts), and the trace has the same shape the in-process
 * harness records, in real milliseconds, so the same invariant functions judge it.
 */
export function createWorkerdRunner(stack: WorkerdStack, options: WorkerdRunnerOptions = {}): WorkerdRunner {
  const stats: WorkerdRunStats = { skipped: {}, restarts: 0, restartMs: 0 };
  let epoch = 0;
  const metricsReads = new Map<number, number>();

  const readMetrics = async (): Promise<MetricsSnapshot> => {
    metricsReads.set(epoch, (metricsReads.get(epoch) ?? 0) + 1);
    const response = await fetch(`${stack.workerUrl}/api/v1/metrics`, { signal: AbortSignal.timeout(5_000) });
    return (await response.json()) as MetricsSnapshot;
  };
  const readCircuit = async (): Promise<CircuitView> => (await readMetrics()).vpsProxyCircuit;
  const probe = installAttemptProbe(stack.control, readCircuit, () => epoch, CLOSED);

  /** Every variable a schedule set is unset again by the next one unless it sets it too. */
  const scheduleKeys = new Set<string>();
  const scheduleVars = (schedule: Schedule): Record<string, string> => {
    const desired: Record<string, string> = { ...WORKERD_BASE_VARS, ...options.vars, ...schedule.workerVars, KEY_ENCRYPTION_SECRET: secretFor(schedule.seed, 0) };
    const vars: Record<string, string> = { KEY_ENCRYPTION_SECRET_PREV: "" };
    for (const key of scheduleKeys) vars[key] = "";
    return { ...vars, ...desired };
  };

  const restart = async (vars: Record<string, string>): Promise<void> => {
    for (const [key, value] of Object.entries(vars)) if (value !== "" && !(key in WORKERD_BASE_VARS) && !(key in (options.vars ?? {})) && key !== "KEY_ENCRYPTION_SECRET") scheduleKeys.add(key);
    const started = performance.now();
    await stack.restartWorker(vars);
    stats.restarts += 1;
    stats.restartMs += performance.now() - started;
  };

  async function runSchedule(schedule: Schedule): Promise<Trace> {
    const trace: Trace = { schedule, clock: "real", circuitLog: [], steps: [], exchanges: [], attempts: [], epochs: [], logs: [], wire: [], secrets: [], stuck: null };
    const secretsSeen = new Set<string>();
    let secretGeneration = 0;
    let prevGeneration: number | null = null;
    let kvDown = false;
    epoch = 0;
    metricsReads.clear();
    probe.observations.clear();

    const config = (): WorkerConfig => parseConfig(stack.workerVars() as WorkerEnv);
    const startEpoch = () => trace.epochs.push({ index: epoch, startedAt: Date.now(), config: epochConfig(config()), metrics: null });
    const endEpoch = async () => {
      const snapshot = await readMetrics();
      // Every metrics read of this isolate (the explorer's own observations) counted as a request.
      snapshot.metrics.requests -= metricsReads.get(epoch) ?? 0;
      trace.epochs[trace.epochs.length - 1]!.metrics = { ...snapshot, uptimeMs: 0 };
    };
    const restartEpoch = async (vars: Record<string, string>) => {
      await endEpoch();
      await restart(vars);
      epoch += 1;
      startEpoch();
    };
    const noteSecrets = () => {
      const vars = stack.workerVars();
      for (const name of ["KEY_ENCRYPTION_SECRET", "KEY_ENCRYPTION_SECRET_PREV"]) if (vars[name]) secretsSeen.add(vars[name]!);
    };

    const scale = (): TimeScale => scaleOf(trace.epochs[trace.epochs.length - 1]!.config);

    const send = async (request: ClientRequest): Promise<{ exchange: ClientExchange; answer: Answer } | null> => {
      const exchangeEpoch = epoch;
      const startedAt = Date.now();
      let response: Response;
      try {
        response = await fetch(`${stack.workerUrl}${request.path}`, { method: request.method, headers: request.headers, redirect: "manual", signal: AbortSignal.timeout(CLIENT_HEADERS_LIMIT_MS), ...(request.body !== undefined ? { body: request.body } : {}) });
      } catch {
        return null;
      }
      const headersAt = Date.now();
      const isV2 = request.path.startsWith("/api/v2");
      const circuit = isV2 ? await readCircuit().catch(() => CLOSED) : CLOSED;
      if (isV2) trace.circuitLog.push({ kind: "response", t: headersAt, epoch: exchangeEpoch, requestId: request.requestId, state: circuit.state });
      const read = await readClientResponse(response, realTimeReader(streamLimitMs(request.path)));
      const setCookies = response.headers.getSetCookie();
      trace.wire.push(`${[...response.headers.entries()].map(([name, value]) => `${name}: ${value}`).join("\n")}\n${setCookies.join("\n")}\n\n${read.text}`);
      const exchange = clientExchange({ step: request.step, epoch: exchangeEpoch, label: request.label, requestId: request.requestId, startedAt, headersAt, endedAt: Date.now(), circuit }, request, response, read);
      return { exchange, answer: { status: response.status, setCookies } };
    };

    const target: Target = {
      async sendAll(requests) {
        const results = await Promise.all(requests.map((request) => send({ ...request, path: scalePath(request.path, scale()) })));
        for (const result of results) if (result) trace.exchanges.push(result.exchange);
        const pending = [...results.keys()].filter((index) => !results[index]).map(String);
        if (pending.length > 0) trace.stuck = { step: requests[0]!.step, pending };
        return results.map((result) => result?.answer ?? null);
      },
      async wait(ms) {
        await realSleep(scaleWait(ms, scale()));
        return true;
      },
      async restartWorker(vars) {
        await restartEpoch(vars);
        if (vars.KEY_ENCRYPTION_SECRET_PREV === "") prevGeneration = null;
        noteSecrets();
      },
      async rotateSecret() {
        prevGeneration = secretGeneration;
        secretGeneration += 1;
        await restartEpoch({ KEY_ENCRYPTION_SECRET: secretFor(schedule.seed, secretGeneration), KEY_ENCRYPTION_SECRET_PREV: secretFor(schedule.seed, prevGeneration) });
        noteSecrets();
      },
      async setFaults(rule) {
        const added = stack.control.addFaults({ ...rule, faults: rule.faults.map((fault) => scaleFault(fault, rule.server, scale())) });
        if (!added.ok) throw new Error(`setFaults: ${added.error}`);
      },
      async clearFaults() {
        stack.control.resetFaults();
      },
      async setKvOutage(on) {
        await stack.setKvOutage(on);
        kvDown = on;
      },
    };

    stack.control.resetFaults();
    stack.control.reseed(schedule.seed);
    await stack.setKvOutage(false);
    await restart(scheduleVars(schedule));
    noteSecrets();
    stack.control.clearEvents();
    probe.observations.clear();
    const logsBefore = stack.workerLogs().length;
    try {
      startEpoch();
      const beforeStep = (index: number): null => {
        trace.steps.push({ index, t: Date.now(), epoch, kvDown, doDown: false, activeSecret: secretGeneration, prevSecret: prevGeneration });
        return null;
      };
      const run = await interpret(schedule.steps, target, { beforeStep, clientIp: () => CLIENT_IP });
      for (const key of run.usedKeys) secretsSeen.add(key);
      for (const skipped of run.skipped) stats.skipped[skipped.kind] = (stats.skipped[skipped.kind] ?? 0) + 1;
      if (!trace.stuck) await endEpoch();
    } finally {
      stack.control.resetFaults();
      if (kvDown) await stack.setKvOutage(false);
    }
    const events = stack.control.events();
    const attribution = attributeAttempts(events, trace.exchanges);
    trace.attempts = events.map((event): AttemptRecord => {
      const seen = probe.observations.get(event.seq);
      const who = attribution.get(event.seq);
      return {
        ...event,
        faults: event.faults.filter((kind) => kind !== PROBE_KIND),
        epoch: seen?.epoch ?? epoch,
        circuit: seen?.circuit ?? CLOSED,
        retryAfterSec: seen?.retryAfterSec ?? null,
        clientRequestId: who?.clientRequestId ?? event.requestId,
        clientStep: who?.clientStep ?? stepOfRequest(trace.exchanges, event),
        // Real milliseconds are not the virtual instants the timing invariants compare exactly (trace.clock says which).
        settledAt: who?.settledAt ?? null,
      };
    });
    for (const attempt of trace.attempts) {
      if (attempt.server === "backend") trace.circuitLog.push({ kind: "attempt", t: attempt.t, epoch: attempt.epoch, requestId: attempt.requestId, state: attempt.circuit.state });
    }
    // Samples were pushed as they completed; the invariants read them in the order things happened.
    trace.circuitLog.sort((a, b) => a.t - b.t);
    trace.logs = stack.workerLogs().slice(logsBefore);
    trace.secrets = [...secretsSeen];
    options.tamper?.(trace);
    return trace;
  }

  return { runSchedule, stats, close: () => probe.uninstall() };
}
