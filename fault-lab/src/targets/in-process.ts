import { getConfig, type WorkerConfig } from "../../../worker/src/config";
import type { Deps } from "../../../worker/src/deps";
import type { WorkerEnv } from "../../../worker/src/env";
import { handleRequest } from "../../../worker/src";
import { snapshotMetrics, type MetricsSnapshot } from "../../../worker/src/metrics";
import { vpsCircuitView } from "../../../worker/src/vps-circuit";
import { createFakeKv } from "../../../worker/unit/fakes";
import { createLabControl } from "../control/lab-control";
import { createRng } from "../rng";
import { HOSTILE_ACCOUNT_IP, HOSTILE_IP, callsProvider, isHostileJar, providerFaultActive } from "../hostile-client";
import { createSimulation, type Simulation } from "../clock/virtual-clock";
import { UPSTREAM_ORIGINS, createUpstreamFetch, type ClientTag } from "../adapters/in-process";
import { interpret } from "../steps/interpret";
import type { Step } from "../steps/model";
import type { Schedule } from "../steps/schedule";
import { CLIENT_IP, clientExchange, readClientResponse } from "./client";
import { createDoNamespace, resetIsolateState } from "./isolate";
import { secretFor } from "./secrets";
import type { Answer, ClientRequest, Target } from "./target";
import { epochConfig, type AttemptRecord, type ClientExchange, type Trace } from "../trace/trace";

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

  const trace: Trace = { schedule, clock: "virtual", circuitLog: [], steps: [], exchanges: [], attempts: [], epochs: [], logs: [], wire: [], secrets: [], stuck: null };
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

  const send = async (request: ClientRequest): Promise<{ exchange: ClientExchange; answer: Answer }> => {
    const hostile = isHostileJar(request.jar);
    const headers = new Headers(request.headers);
    const startedAt = sim.now();
    const workerRequest = new Request(`${WORKER_ORIGIN}${request.path}`, { method: request.method, headers, ...(request.body !== undefined ? { body: request.body } : {}) });
    const response = await handleRequest(workerRequest, env, depsFor({ requestId: request.requestId, step: request.step, ...(hostile ? { hostile } : {}) }));
    const headersAt = sim.now();
    const circuit = vpsCircuitView(config(), headersAt);
    if (request.path.startsWith("/api/v2")) trace.circuitLog.push({ kind: "response", t: headersAt, epoch, requestId: request.requestId, state: circuit.state });
    const read = await readClientResponse(response, sim);
    trace.wire.push(`${[...response.headers.entries()].map(([name, value]) => `${name}: ${value}`).join("\n")}\n\n${read.text}`);
    const exchange = clientExchange({ step: request.step, epoch, label: request.label, requestId: request.requestId, startedAt, headersAt, endedAt: sim.now(), circuit }, request, response, read);
    return { exchange, answer: { status: response.status, setCookies: response.headers.getSetCookie() } };
  };

  const target: Target = {
    /** Starts every request at once and drives virtual time until all are answered and read. */
    async sendAll(requests) {
      const results: ({ exchange: ClientExchange; answer: Answer } | undefined)[] = new Array(requests.length);
      const failures: unknown[] = [];
      for (const [index, request] of requests.entries()) {
        send(request).then(
          (exchange) => (results[index] = exchange),
          (error) => failures.push(error),
        );
      }
      const outcome = await sim.runUntil(() => failures.length > 0 || results.filter(Boolean).length === requests.length);
      if (failures.length > 0) throw failures[0];
      for (const result of results) if (result) trace.exchanges.push(result.exchange);
      if (outcome === "stuck") trace.stuck = { step: requests[0]!.step, pending: [...results.keys()].filter((index) => !results[index]).map(String) };
      return results.map((result) => (outcome === "stuck" || !result ? null : result.answer));
    },
    async wait(ms) {
      let elapsed = false;
      void sim.sleep(ms).then(() => (elapsed = true));
      return (await sim.runUntil(() => elapsed)) === "done";
    },
    async restartWorker(vars) {
      restart(vars);
      if (vars.KEY_ENCRYPTION_SECRET_PREV === "") prevGeneration = null;
    },
    async rotateSecret() {
      prevGeneration = secretGeneration;
      secretGeneration += 1;
      secretsSeen.add(secretFor(schedule.seed, secretGeneration));
      restart({ KEY_ENCRYPTION_SECRET: secretFor(schedule.seed, secretGeneration), KEY_ENCRYPTION_SECRET_PREV: secretFor(schedule.seed, prevGeneration) });
    },
    async setFaults(rule) {
      const added = control.addFaults(rule);
      if (!added.ok) throw new Error(`setFaults: ${added.error}`);
    },
    async clearFaults() {
      control.resetFaults();
    },
    async setKvOutage(on) {
      kv.failing = on;
    },
    async setDoOutage(on) {
      doNamespace.down = on;
    },
  };

  const beforeStep = (index: number, step: Step): string | null => {
    trace.steps.push({ index, t: sim.now(), epoch, kvDown: kv.failing, doDown: doNamespace.down, activeSecret: secretGeneration, prevSecret: prevGeneration });
    if (callsProvider(step) && providerFaultActive(control)) {
      (trace.hostileSkipped ??= []).push(index);
      return "a provider fault is armed: the attacker waits (src/explorer/hostile.ts)";
    }
    return null;
  };
  const clientIp = ({ jar, connect }: Pick<ClientRequest, "jar" | "connect">): string => (isHostileJar(jar) ? (connect ? HOSTILE_ACCOUNT_IP : HOSTILE_IP) : CLIENT_IP);

  resetIsolateState();
  const restoreConsole = captureConsole(trace.logs);
  const restoreCrypto = sim.gateCrypto();
  try {
    startEpoch();
    const run = await interpret(schedule.steps, target, { beforeStep, clientIp });
    for (const key of run.usedKeys) secretsSeen.add(key);
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
