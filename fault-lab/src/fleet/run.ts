import { createControlPlaneHost } from "./control-plane-host";
import { CONTROL_PLANE_NAME } from "../../../worker/src/keys";
import { createFakeKv } from "../../../worker/unit/fakes";
import { createLabControl } from "../control/lab-control";
import { createRng } from "../rng";
import { createSimulation, type Simulation } from "../clock/virtual-clock";
import { createUpstreamFetch, UPSTREAM_ORIGINS } from "../adapters/in-process";
import { createWorkerIsolates, ISOLATE_STATE_PER_ISOLATE, type ExecutionContextLike } from "./isolates";
import { getConfig } from "../../../worker/src/config";
import type { Deps } from "../../../worker/src/deps";
import type { WorkerEnv } from "../../../worker/src/env";
import { DEFAULT_REGIONS, placeIsolates, type Region } from "./network";
import { DEFAULT_PHASES, phaseSpans, type Phase } from "./phases";
import type { FleetRequest, FleetTrace, UpstreamAttempt } from "./trace";

/** The Worker's origin in-process (loopback, as in the explorer). */
const WORKER_ORIGIN = "http://127.0.0.1:8787";
const START_MS = Date.UTC(2026, 0, 1);

export interface FleetOptions {
  isolates: number;
  seed: number;
  phases?: readonly Phase[];
  regions?: readonly Region[];
  /** The object's service time per request (ms). */
  serviceMs?: number;
  /** Client requests per second per isolate. */
  aiPerSec?: number;
  v2PerSec?: number;
  workerVars?: Record<string, string>;
}

export const FLEET_DEFAULTS = { serviceMs: 1, aiPerSec: 0.1, v2PerSec: 0.1 } as const;

interface Client {
  isolate: number;
  env: WorkerEnv;
  rttMs: number;
  cookie: string;
  ip: string;
}

const CONSOLE_METHODS = ["log", "info", "warn", "error", "debug"] as const;

/** The Worker logs one line per failure: thousands in an outage. Counted, not printed. */
function muteConsole(): () => void {
  const saved = CONSOLE_METHODS.map((name) => [name, console[name]] as const);
  for (const name of CONSOLE_METHODS) console[name] = () => undefined;
  return () => {
    for (const [name, original] of saved) console[name] = original;
  };
}

async function readCause(response: Response): Promise<string | null> {
  const text = await response.text().catch(() => "");
  if (response.status < 400) return null;
  try {
    const cause = (JSON.parse(text) as { error?: { cause?: unknown } }).error?.cause;
    return typeof cause === "string" ? cause : null;
  } catch {
    return null;
  }
}

/** Drives virtual time until `isDone`; a fleet run that cannot progress is a harness bug. */
async function drive(sim: Simulation, isDone: () => boolean, what: string): Promise<void> {
  if ((await sim.runUntil(isDone)) === "stuck") throw new Error(`fleet: ${what} got stuck on the virtual clock`);
}

/**
 * Runs N isolates of the real Worker against one shared control plane and the lab's fakes, on the
 * virtual clock, through the phases, and returns the trace. Same options ⇒ same trace.
 */
export async function runFleet(options: FleetOptions): Promise<FleetTrace> {
  const phases = options.phases ?? DEFAULT_PHASES;
  const serviceMs = options.serviceMs ?? FLEET_DEFAULTS.serviceMs;
  const aiPerSec = options.aiPerSec ?? FLEET_DEFAULTS.aiPerSec;
  const v2PerSec = options.v2PerSec ?? FLEET_DEFAULTS.v2PerSec;
  const count = options.isolates;
  const sim = createSimulation(START_MS);
  const control = createLabControl(options.seed, sim.now);
  const rng = createRng((options.seed ^ 0x5bd1e995) >>> 0);
  const trafficRng = createRng((options.seed ^ 0x27d4eb2f) >>> 0);
  const placements = placeIsolates(count, createRng((options.seed ^ 0x165667b1) >>> 0), options.regions ?? DEFAULT_REGIONS);
  const baseEnv: WorkerEnv = {
    NODE_ENV: "test",
    KEY_ENCRYPTION_SECRET: `fleet-secret-${options.seed}-q7Zk2Lp9x`,
    VPS_API_ORIGIN: UPSTREAM_ORIGINS.backend,
    GEMINI_API_BASE: UPSTREAM_ORIGINS.gemini,
    OPENROUTER_API_BASE: UPSTREAM_ORIGINS.openrouter,
    ...options.workerVars,
    AI_SESSIONS: createFakeKv(sim.now),
  };
  const config = getConfig(baseEnv);
  const host = createControlPlaneHost(sim, baseEnv, { serviceMs, globalName: CONTROL_PLANE_NAME });
  const workers = createWorkerIsolates(count, sim.now());

  const attempts: UpstreamAttempt[] = [];
  let recording = false;
  const upstream = createUpstreamFetch(control, sim, {
    onAttempt(event, client) {
      if (!recording) return;
      const isolate = client?.step ?? -1;
      const attempt: UpstreamAttempt = { t: event.t, isolate, server: event.server };
      if (event.server === "backend" && workers[isolate]) attempt.circuit = workers[isolate].vpsCircuitPhase(event.t);
      attempts.push(attempt);
    },
    onRetryAfter: () => undefined,
  });

  let pendingBackground = 0;
  const executionContext: ExecutionContextLike = {
    waitUntil(promise) {
      pendingBackground += 1;
      void promise.catch(() => undefined).finally(() => (pendingBackground -= 1));
    },
  };

  let seq = 0;
  const send = async (client: Client, method: string, path: string, body: unknown, onDoWait?: (ms: number) => void): Promise<Response> => {
    const requestId = `fleet-${(seq += 1)}`;
    const headers = new Headers({ "x-request-id": requestId, "cf-connecting-ip": client.ip });
    if (client.cookie) headers.set("cookie", client.cookie);
    if (body !== undefined) headers.set("content-type", "application/json");
    let answered = false;
    const namespace = host.namespaceFor(client.isolate, client.rttMs, (call) => {
      if (!answered) onDoWait?.(call.returnAt - call.t);
    });
    const deps: Deps = { now: sim.now, rng: rng.next, fetch: (input, init) => upstream(input, init, { requestId, step: client.isolate }), sleep: sim.sleep, timeout: sim.timeout };
    const request = new Request(`${WORKER_ORIGIN}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const response = await workers[client.isolate]!.handle(request, { ...client.env, CONTROL_PLANE_DO: namespace }, deps, executionContext);
    answered = true;
    return response;
  };

  const clients: Client[] = placements.map((placement, isolate) => ({
    isolate,
    rttMs: placement.rttMs,
    env: baseEnv,
    cookie: "",
    ip: `10.${(isolate >> 8) & 255}.${isolate & 255}.7`,
  }));

  const restoreConsole = muteConsole();
  const restoreCrypto = sim.gateCrypto();
  try {
    // One connected user per isolate (its own rate-limit bucket), before any phase starts.
    let connected = 0;
    for (const client of clients) {
      void send(client, "POST", "/api/v1/auth/connect", { provider: "gemini", apiKey: `AIzaSyFleet${client.isolate}Key0123456789` }).then(async (response) => {
        const cookie = response.headers.get("set-cookie")?.match(/pb_ai_session=([^;\s]+)/)?.[1];
        await response.text();
        if (response.status !== 200 || !cookie) throw new Error(`fleet: isolate ${client.isolate} could not connect (${response.status})`);
        client.cookie = `pb_ai_session=${cookie}`;
        connected += 1;
      });
    }
    await drive(sim, () => connected === clients.length && pendingBackground === 0, "connecting the users");

    const startedAt = sim.now();
    const spans = phaseSpans(phases, startedAt);
    const requests: FleetRequest[] = [];
    let inFlight = 0;
    let trafficDone = false;
    const totalRate = count * (aiPerSec + v2PerSec);
    const aiShare = aiPerSec / (aiPerSec + v2PerSec);

    const fire = () => {
      const client = clients[Math.floor(trafficRng.next() * count)]!;
      const kind = trafficRng.next() < aiShare ? "ai" : "v2";
      const t = sim.now();
      let doWaitMs = 0;
      inFlight += 1;
      const sent = kind === "ai" ? send(client, "POST", "/api/v1/ai/analyze", { content: "Fleet note: call the plumber tomorrow" }, (ms) => (doWaitMs += ms)) : send(client, "GET", "/api/v2/sync/pull", undefined);
      void sent
        .then(async (response) => {
          const cause = await readCause(response);
          requests.push({ isolate: client.isolate, kind, t, end: sim.now(), status: response.status, cause, doWaitMs });
        })
        .finally(() => (inFlight -= 1));
    };

    const traffic = async () => {
      for (const [index, phase] of phases.entries()) {
        control.resetFaults();
        control.clearEvents();
        for (const rule of phase.faults) {
          const added = control.addFaults(rule);
          if (!added.ok) throw new Error(`fleet: phase ${phase.name}: ${added.error}`);
        }
        const end = spans[index]!.to;
        for (;;) {
          const gapMs = (-Math.log(1 - trafficRng.next()) / totalRate) * 1000;
          if (sim.now() + gapMs >= end) {
            await sim.sleep(end - sim.now());
            break;
          }
          await sim.sleep(gapMs);
          fire();
        }
      }
      control.resetFaults();
      trafficDone = true;
    };

    recording = true;
    let failure: unknown = null;
    traffic().catch((error: unknown) => (failure = error));
    await drive(sim, () => failure !== null || (trafficDone && inFlight === 0 && pendingBackground === 0), "the traffic phases");
    if (failure !== null) throw failure;
    return {
      config: {
        isolates: count,
        seed: options.seed,
        serviceMs,
        // The Worker's own refresh interval (PROVIDER_CIRCUIT_REFRESH_MS): how stale a view may be.
        learningIntervalMs: config.providers.circuitRefreshMs,
        providerOpenMs: config.providers.circuitOpenMs,
        vpsOpenMs: config.vps.circuitOpenMs,
        aiPerSec,
        v2PerSec,
        maxRttMs: Math.max(0, ...placements.map((placement) => placement.rttMs)),
        isolateStatePerIsolate: ISOLATE_STATE_PER_ISOLATE,
      },
      phases: spans,
      rttMs: placements.map((placement) => placement.rttMs),
      requests: requests.sort((a, b) => a.t - b.t),
      attempts,
      calls: host.calls,
      breaker: host.breaker,
      startedAt,
      endedAt: sim.now(),
    };
  } finally {
    restoreCrypto();
    restoreConsole();
  }
}
