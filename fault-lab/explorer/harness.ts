import { getConfig, type WorkerConfig } from "../../worker/src/config";
import type { Deps } from "../../worker/src/deps";
import type { WorkerEnv } from "../../worker/src/env";
import { handleRequest } from "../../worker/src/index";
import { snapshotMetrics, type MetricsSnapshot } from "../../worker/src/metrics";
import { vpsCircuitView } from "../../worker/src/vps-circuit";
import { createFakeKv } from "../../worker/unit/fakes";
import { createLabControl } from "../src/control";
import { createRng } from "../src/rng";
import { CLIENT_IP, clientExchange, clientRequestParts, readClientResponse, type ClientSend } from "./client";
import { HOSTILE_ACCOUNT_IP, HOSTILE_IP, callsProvider, isHostileJar, providerFaultActive } from "./hostile";
import { createDoNamespace, resetIsolateState } from "./isolate";
import type { ExplorerStep, Schedule } from "./schedule";
import { createSimulation, type Simulation } from "./sim";
import { epochConfig, type AttemptRecord, type ClientExchange, type Trace } from "./trace";
import { UPSTREAM_ORIGINS, createUpstreamFetch, type ClientTag } from "./upstreams";

/** The Worker's own origin in-process: loopback, so metrics and dev rules apply as in the lab. */
export const WORKER_ORIGIN = "http://127.0.0.1:8787";
/** Virtual start time: fixed, so every run of a seed sees the same clock. */
export const START_MS = Date.UTC(2026, 0, 1);

type Fetch = Deps["fetch"];

/**
 * Test-only seam: a planted bug (or any wrapper) around the Worker's outbound fetch. Production code
 * is never changed for it; see planted.test.ts.
 */
export interface HarnessVariant {
  name: string;
  wrapFetch?(fetch: Fetch, sim: Simulation, config: () => WorkerConfig): Fetch;
}

export interface HarnessOptions {
  variant?: HarnessVariant;
}

export const secretFor = (seed: number, generation: number): string => `explorer-secret-${seed}-${generation}-q7Zk2Lp9`;

function withoutUptime(snapshot: MetricsSnapshot): MetricsSnapshot {
  const { uptimeMs: _uptime, ...rest } = snapshot;
  return { ...rest, uptimeMs: 0 };
}

const CONSOLE_METHODS = ["log", "info", "warn", "error", "debug"] as const;

function captureConsole(lines: string[]): () => void {
  const saved = CONSOLE_METHODS.map((name) => [name, console[name]] as const);
  for (const name of CONSOLE_METHODS) console[name] = (...args: unknown[]) => void lines.push(args.map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg))).join(" "));
  return () => {
    for (const [name, original] of saved) console[name] = original;
  };
}

/**
 * Runs one schedule against the real Worker (`handleRequest`) in this process, on virtual time, with
 * in-memory KV, the real ControlPlaneDO on in-memory storage and deterministic upstream fakes.
 * Same schedule ⇒ same trace. Runs must not overlap (module state is per isolate, i.e. global here).
 */
export async function runSchedule(schedule: Schedule, options: HarnessOptions = {}): Promise<Trace> {
  const sim = createSimulation(START_MS);
  const control = createLabControl(schedule.seed, sim.now);
  const kv = createFakeKv(sim.now);
  let secretGeneration = 0;
  let prevGeneration: number | null = null;
  const env: WorkerEnv = {
    NODE_ENV: "test",
    KEY_ENCRYPTION_SECRET: secretFor(schedule.seed, 0),
    VPS_API_ORIGIN: UPSTREAM_ORIGINS.backend,
    GEMINI_API_BASE: UPSTREAM_ORIGINS.gemini,
    OPENROUTER_API_BASE: UPSTREAM_ORIGINS.openrouter,
    ...schedule.workerVars,
    AI_SESSIONS: kv,
  };
  const doNamespace = createDoNamespace(env);
  env.CONTROL_PLANE_DO = doNamespace;

  const trace: Trace = { schedule, circuitLog: [], steps: [], exchanges: [], attempts: [], epochs: [], logs: [], wire: [], secrets: [], stuck: null };
  const config = () => getConfig(env);
  const secretsSeen = new Set<string>([secretFor(schedule.seed, 0)]);
  const retryAfterBySeq = new Map<number, number>();
  const settledBySeq = new Map<number, number>();
  let epoch = 0;

  const upstream = createUpstreamFetch(control, sim, {
    onAttempt(event, client) {
      const circuit = vpsCircuitView(config(), sim.now());
      trace.attempts.push(Object.assign(event, { epoch, circuit, retryAfterSec: null, clientRequestId: client?.requestId ?? null, clientStep: client?.step ?? null, settledAt: null }) as AttemptRecord);
      if (event.server === "backend") trace.circuitLog.push({ kind: "attempt", t: event.t, epoch, requestId: event.requestId, state: circuit.state });
    },
    onRetryAfter(seq, seconds) {
      retryAfterBySeq.set(seq, seconds);
    },
    onSettled(seq) {
      settledBySeq.set(seq, sim.now());
    },
  });
  const rng = createRng((schedule.seed ^ 0x5bd1e995) >>> 0);
  // The attacker draws from its own stream: its backoffs never shift an honest client's jitter.
  const hostileRng = createRng((schedule.seed ^ 0x2545f491) >>> 0);
  const deps: Deps = { now: sim.now, rng: rng.next, fetch: upstream, sleep: sim.sleep, timeout: sim.timeout };
  /** Per client request: its outbound fetch tags each attempt with the request (providers never see its id). */
  const depsFor = (client: ClientTag): Deps => {
    const tagged: Fetch = (input, init) => upstream(input, init, client);
    return { ...deps, ...(client.hostile ? { rng: hostileRng.next } : {}), fetch: options.variant?.wrapFetch ? options.variant.wrapFetch(tagged, sim, config) : tagged };
  };
  const jars = new Map<string, string>();

  const startEpoch = () => trace.epochs.push({ index: epoch, startedAt: sim.now(), config: epochConfig(config()), metrics: null });
  const endEpoch = () => {
    const current = trace.epochs[trace.epochs.length - 1]!;
    current.metrics = withoutUptime(snapshotMetrics(vpsCircuitView(config(), sim.now()), sim.now()));
  };
  const restart = (vars: Record<string, string | undefined>) => {
    endEpoch();
    for (const [name, value] of Object.entries(vars)) {
      if (value === undefined || value === "") delete env[name];
      else env[name] = value;
    }
    resetIsolateState();
    epoch += 1;
    startEpoch();
  };

  const send = async (stepIndex: number, label: string, index: number, init: ClientSend, hostileAccount = false): Promise<ClientExchange> => {
    const requestId = `req-${label}-${index}`;
    const hostile = hostileAccount || isHostileJar(init.jar);
    const ip = hostileAccount ? HOSTILE_ACCOUNT_IP : hostile ? HOSTILE_IP : CLIENT_IP;
    const { headers, body } = clientRequestParts(init, requestId, ip, init.jar ? jars.get(init.jar) : undefined);
    const startedAt = sim.now();
    const request = new Request(`${WORKER_ORIGIN}${init.path}`, { method: init.method, headers, ...(body !== undefined ? { body } : {}) });
    const response = await handleRequest(request, env, depsFor({ requestId, step: stepIndex, ...(hostile ? { hostile } : {}) }));
    const headersAt = sim.now();
    const circuit = vpsCircuitView(config(), headersAt);
    if (init.path.startsWith("/api/v2")) trace.circuitLog.push({ kind: "response", t: headersAt, epoch, requestId, state: circuit.state });
    const read = await readClientResponse(response, sim);
    trace.wire.push(`${[...response.headers.entries()].map(([name, value]) => `${name}: ${value}`).join("\n")}\n\n${read.text}`);
    return clientExchange({ step: stepIndex, epoch, label, requestId, startedAt, headersAt, endedAt: sim.now(), circuit }, init, response, read);
  };

  /** Starts `count` requests at once and drives virtual time until all are answered and read. */
  const burst = async (stepIndex: number, count: number, start: (index: number) => Promise<ClientExchange>): Promise<ClientExchange[] | null> => {
    const results: (ClientExchange | undefined)[] = new Array(count);
    const failures: unknown[] = [];
    for (let index = 0; index < count; index += 1) {
      start(index).then(
        (exchange) => (results[index] = exchange),
        (error) => failures.push(error),
      );
    }
    const outcome = await sim.runUntil(() => failures.length > 0 || results.filter(Boolean).length === count);
    if (failures.length > 0) throw failures[0];
    if (outcome === "stuck") {
      const pending = [...results.keys()].filter((index) => !results[index]).map((index) => String(index));
      trace.stuck = { step: stepIndex, pending };
      for (const exchange of results) if (exchange) trace.exchanges.push(exchange);
      return null;
    }
    trace.exchanges.push(...(results as ClientExchange[]));
    return results as ClientExchange[];
  };

  const runStep = async (stepIndex: number, step: ExplorerStep): Promise<boolean> => {
    switch (step.do) {
      case "request": {
        const method = (step.method ?? "GET").toUpperCase();
        const done = await burst(stepIndex, step.concurrency ?? 1, (index) =>
          send(stepIndex, step.label, index, { method, path: step.path, body: step.body, ...(step.headers ? { headers: step.headers } : {}), ...(step.as ? { jar: step.as } : {}) }),
        );
        return done !== null;
      }
      case "connect": {
        secretsSeen.add(step.key);
        const done = await burst(stepIndex, 1, () => send(stepIndex, `connect-${step.as}`, 0, { method: "POST", path: "/api/v1/auth/connect", body: { provider: step.provider, apiKey: step.key } }, isHostileJar(step.as)));
        const cookie = done?.[0] ? trace.wire[trace.wire.length - 1]!.match(/pb_ai_session=([^;\s]+)/)?.[1] : undefined;
        if (cookie && done?.[0]?.status === 200) jars.set(step.as, `pb_ai_session=${cookie}`);
        return done !== null;
      }
      case "wait": {
        let elapsed = false;
        void sim.sleep(step.ms).then(() => (elapsed = true));
        return (await sim.runUntil(() => elapsed)) === "done";
      }
      case "restartWorker":
        restart(step.vars ?? {});
        if (step.vars?.KEY_ENCRYPTION_SECRET_PREV === "") prevGeneration = null;
        return true;
      case "rotateSecret":
        prevGeneration = secretGeneration;
        secretGeneration += 1;
        secretsSeen.add(secretFor(schedule.seed, secretGeneration));
        restart({ KEY_ENCRYPTION_SECRET: secretFor(schedule.seed, secretGeneration), KEY_ENCRYPTION_SECRET_PREV: secretFor(schedule.seed, prevGeneration) });
        return true;
      case "setFaults": {
        const added = control.addFaults({ route: step.route, faults: step.faults, ...(step.server ? { server: step.server } : {}) });
        if (!added.ok) throw new Error(`steps[${stepIndex}]: ${added.error}`);
        return true;
      }
      case "clearFaults":
        control.resetFaults();
        return true;
      case "kvOutage":
        kv.failing = step.on;
        return true;
      case "doOutage":
        doNamespace.down = step.on;
        return true;
    }
  };

  resetIsolateState();
  const restoreConsole = captureConsole(trace.logs);
  const restoreCrypto = sim.gateCrypto();
  try {
    startEpoch();
    for (const [index, step] of schedule.steps.entries()) {
      trace.steps.push({ index, t: sim.now(), epoch, kvDown: kv.failing, doDown: doNamespace.down, activeSecret: secretGeneration, prevSecret: prevGeneration });
      if (callsProvider(step) && providerFaultActive(control)) {
        (trace.hostileSkipped ??= []).push(index);
        continue;
      }
      if (!(await runStep(index, step))) break;
    }
    trace.endedAt = sim.now();
    endEpoch();
  } finally {
    restoreCrypto();
    restoreConsole();
  }
  for (const attempt of trace.attempts) {
    attempt.retryAfterSec = retryAfterBySeq.get(attempt.seq) ?? null;
    attempt.settledAt = settledBySeq.get(attempt.seq) ?? null;
  }
  trace.secrets = [...secretsSeen];
  return trace;
}
