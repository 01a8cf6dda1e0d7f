import { sleep as realSleep } from "../../worker/src/deps";
import { parseConfig, type WorkerConfig } from "../../worker/src/config";
import type { WorkerEnv } from "../../worker/src/env";
import type { CircuitView, MetricsSnapshot } from "../../worker/src/metrics";
import type { Stack } from "../src/stack";
import { CLIENT_IP, clientExchange, clientRequestParts, readClientResponse, type ClientSend } from "./client";
import { secretFor } from "./harness";
import type { ExplorerStep, Schedule } from "./schedule";
import type { Simulation } from "./sim";
import { epochConfig, type AttemptRecord, type ClientExchange, type EpochConfig, type Trace } from "./trace";
import { mapStepForWorkerd, streamLimitMs, WORKERD_BASE_VARS, type TimeScale } from "./workerd-mapping";
import { installAttemptProbe, PROBE_KIND } from "./workerd-probe";

/** The stack the workerd runner drives (a `Stack` from fault-lab/src/stack.ts fits). */
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
 * client.ts reads a body with a deadline taken from `sim.sleep`; on workerd that deadline is real
 * time, capped at the stream's own length plus slack (a stalled stream never ends by itself).
 * Only `sleep` is used by the reader.
 */
const realTimeReader = (limitMs: number): Simulation => ({ sleep: (ms: number, signal?: AbortSignal) => realSleep(Math.min(ms, limitMs), signal) }) as Pick<Simulation, "sleep"> as Simulation;

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
    const trace: Trace = { schedule, circuitLog: [], steps: [], exchanges: [], attempts: [], epochs: [], logs: [], wire: [], secrets: [], stuck: null };
    const secretsSeen = new Set<string>();
    let secretGeneration = 0;
    let prevGeneration: number | null = null;
    let kvDown = false;
    const jars = new Map<string, string>();
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

    const send = async (stepIndex: number, label: string, index: number, init: ClientSend & { sessionFor?: string }): Promise<ClientExchange | null> => {
      const requestId = `req-${label}-${index}`;
      const { headers, body } = clientRequestParts(init, requestId, CLIENT_IP, init.jar ? jars.get(init.jar) : undefined);
      const exchangeEpoch = epoch;
      const startedAt = Date.now();
      let response: Response;
      try {
        response = await fetch(`${stack.workerUrl}${init.path}`, { method: init.method, headers, redirect: "manual", signal: AbortSignal.timeout(CLIENT_HEADERS_LIMIT_MS), ...(body !== undefined ? { body } : {}) });
      } catch {
        return null;
      }
      const headersAt = Date.now();
      const isV2 = init.path.startsWith("/api/v2");
      const circuit = isV2 ? await readCircuit().catch(() => CLOSED) : CLOSED;
      if (isV2) trace.circuitLog.push({ kind: "response", t: headersAt, epoch: exchangeEpoch, requestId, state: circuit.state });
      const read = await readClientResponse(response, realTimeReader(streamLimitMs(init.path)));
      const setCookie = response.headers.getSetCookie().join("\n");
      trace.wire.push(`${[...response.headers.entries()].map(([name, value]) => `${name}: ${value}`).join("\n")}\n${setCookie}\n\n${read.text}`);
      // As in-process, only a successful connect fills a jar (a failed one keeps the old session).
      if (init.sessionFor && response.status === 200) {
        const session = setCookie.match(/pb_ai_session=([^;\s]+)/)?.[1];
        if (session) jars.set(init.sessionFor, `pb_ai_session=${session}`);
      }
      return clientExchange({ step: stepIndex, epoch: exchangeEpoch, label, requestId, startedAt, headersAt, endedAt: Date.now(), circuit }, init, response, read);
    };

    const burst = async (stepIndex: number, count: number, start: (index: number) => Promise<ClientExchange | null>): Promise<boolean> => {
      const results = await Promise.all(Array.from({ length: count }, (_, index) => start(index)));
      for (const exchange of results) if (exchange) trace.exchanges.push(exchange);
      const pending = [...results.keys()].filter((index) => !results[index]).map(String);
      if (pending.length > 0) trace.stuck = { step: stepIndex, pending };
      return pending.length === 0;
    };

    const runStep = async (stepIndex: number, step: ExplorerStep): Promise<boolean> => {
      switch (step.do) {
        case "request": {
          const method = (step.method ?? "GET").toUpperCase();
          return burst(stepIndex, step.concurrency ?? 1, (index) =>
            send(stepIndex, step.label, index, { method, path: step.path, body: step.body, ...(step.headers ? { headers: step.headers } : {}), ...(step.as ? { jar: step.as } : {}) }),
          );
        }
        case "connect":
          secretsSeen.add(step.key);
          return burst(stepIndex, 1, () => send(stepIndex, `connect-${step.as}`, 0, { method: "POST", path: "/api/v1/auth/connect", body: { provider: step.provider, apiKey: step.key }, sessionFor: step.as }));
        case "wait":
          await realSleep(step.ms);
          return true;
        case "restartWorker":
          await restartEpoch(step.vars ?? {});
          if (step.vars?.KEY_ENCRYPTION_SECRET_PREV === "") prevGeneration = null;
          noteSecrets();
          return true;
        case "rotateSecret":
          prevGeneration = secretGeneration;
          secretGeneration += 1;
          await restartEpoch({ KEY_ENCRYPTION_SECRET: secretFor(schedule.seed, secretGeneration), KEY_ENCRYPTION_SECRET_PREV: secretFor(schedule.seed, prevGeneration) });
          noteSecrets();
          return true;
        case "setFaults": {
          const added = stack.control.addFaults({ route: step.route, faults: step.faults, ...(step.server ? { server: step.server } : {}) });
          if (!added.ok) throw new Error(`steps[${stepIndex}]: ${added.error}`);
          return true;
        }
        case "clearFaults":
          stack.control.resetFaults();
          return true;
        case "kvOutage":
          await stack.setKvOutage(step.on);
          kvDown = step.on;
          return true;
        case "doOutage":
          return true;
      }
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
      for (const [index, step] of schedule.steps.entries()) {
        trace.steps.push({ index, t: Date.now(), epoch, kvDown, doDown: false, activeSecret: secretGeneration, prevSecret: prevGeneration });
        const mapped = mapStepForWorkerd(step, scaleOf(trace.epochs[trace.epochs.length - 1]!.config));
        if ("skip" in mapped) {
          stats.skipped[mapped.skip] = (stats.skipped[mapped.skip] ?? 0) + 1;
          continue;
        }
        if (!(await runStep(index, mapped.run))) break;
      }
      if (!trace.stuck) await endEpoch();
    } finally {
      stack.control.resetFaults();
      if (kvDown) await stack.setKvOutage(false);
    }
    trace.attempts = stack.control.events().map((event): AttemptRecord => {
      const seen = probe.observations.get(event.seq);
      return { ...event, faults: event.faults.filter((kind) => kind !== PROBE_KIND), epoch: seen?.epoch ?? epoch, circuit: seen?.circuit ?? CLOSED, retryAfterSec: seen?.retryAfterSec ?? null };
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
