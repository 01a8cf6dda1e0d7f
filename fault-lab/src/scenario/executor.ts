import type { LabControl } from "../control";
import type { KvEntry } from "../stack";
import { evaluate } from "./assertions";
import { fetchWithHost } from "./host-fetch";
import type { CircuitSample, ClientRecord, ScenarioRun } from "./records";
import type { RequestStep, Scenario, Step } from "./types";

/** What a scenario runs against: the workerd stack, or an in-process Worker with the same shape. */
export interface LabTarget {
  workerUrl: string;
  control: LabControl;
  restartWorker(vars?: Record<string, string>): Promise<void>;
  workerVars(): Record<string, string>;
  readKv(): Promise<KvEntry[]>;
  setKvOutage(on: boolean): Promise<void>;
  workerLogs(): string[];
}

export interface ExecutorDeps {
  now(): number;
  sleep(ms: number): Promise<void>;
  fetch: typeof fetch;
  randomSecret(): string;
  /** Poll /api/v1/metrics for the breaker timeline every N ms (0 = off). */
  circuitPollMs: number;
}

export interface RunOptions {
  /** The vars every scenario starts from (its workerVars are merged over them). */
  baseVars: Record<string, string>;
}

/** Shared between the step runner and the assertions. */
export interface RunState {
  target: LabTarget;
  deps: ExecutorDeps;
  responses: Record<string, ClientRecord[]>;
  jars: Map<string, Map<string, string>>;
  /** Provider keys the scenario used (checked against KV and logs, never printed). */
  usedKeys: Set<string>;
  /** Every encryption secret the Worker had during the scenario. */
  secrets: Set<string>;
  startedAt: number;
}

function sameVars(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => a[key] === b[key]);
}

/** Vars that turn `current` into exactly `desired` through restartWorker's merge ("" removes). */
export function varsDelta(current: Record<string, string>, desired: Record<string, string>): Record<string, string> {
  const delta: Record<string, string> = { ...desired };
  for (const key of Object.keys(current)) if (!(key in desired)) delta[key] = "";
  return delta;
}

function mergeDesired(base: Record<string, string>, overrides: Record<string, string> = {}): Record<string, string> {
  const merged = { ...base, ...overrides };
  for (const [key, value] of Object.entries(merged)) if (value === "") delete merged[key];
  return merged;
}

function cookieHeader(jar: Map<string, string> | undefined): string | undefined {
  if (!jar || jar.size === 0) return undefined;
  return [...jar.entries()].map(([name, value]) => `${name}=${value}`).join("; ");
}

function storeCookies(jar: Map<string, string>, setCookies: string[]): void {
  for (const line of setCookies) {
    const [pair, ...attributes] = line.split(";");
    const index = pair!.indexOf("=");
    if (index <= 0) continue;
    const name = pair!.slice(0, index).trim();
    const cleared = attributes.some((attribute) => /^\s*max-age\s*=\s*0\s*$/i.test(attribute));
    if (cleared) jar.delete(name);
    else jar.set(name, pair!.slice(index + 1).trim());
  }
}

async function sendOne(state: RunState, step: RequestStep, index: number): Promise<ClientRecord> {
  const method = (step.method ?? (step.body !== undefined || step.bodyBytes !== undefined ? "POST" : "GET")).toUpperCase();
  const headers = new Headers(step.headers ?? {});
  let body: string | undefined;
  if (step.bodyBytes !== undefined) body = JSON.stringify({ blob: "x".repeat(step.bodyBytes) });
  else if (step.body !== undefined) body = typeof step.body === "string" ? step.body : JSON.stringify(step.body);
  if (body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  const jar = step.as ? state.jars.get(step.as) : undefined;
  const tossed = step.tossFrom ? cookieHeader(state.jars.get(step.tossFrom)) : undefined;
  const own = cookieHeader(jar);
  const cookie = tossed && own ? `${tossed}; ${own}` : (tossed ?? own);
  if (cookie) headers.set("cookie", headers.has("cookie") ? `${headers.get("cookie")}; ${cookie}` : cookie);
  const t = state.deps.now();
  const record: ClientRecord = { label: step.label, index, t: t - state.startedAt, method, path: step.path, status: null, ms: 0, retryAfter: null, headers: {}, setCookies: [], body: "" };
  try {
    const url = `${state.target.workerUrl}${step.path}`;
    const signal = AbortSignal.timeout(60_000);
    const response = headers.has("host") ? await fetchWithHost(url, { method, headers, body, signal }) : await state.deps.fetch(url, { method, headers, body, redirect: "manual", signal });
    record.body = await response.text();
    record.status = response.status;
    record.headers = Object.fromEntries(response.headers.entries());
    record.setCookies = response.headers.getSetCookie();
    record.retryAfter = response.headers.get("retry-after");
    try {
      const parsed = JSON.parse(record.body) as { error?: { code?: string; cause?: string } };
      if (parsed.error?.code) record.code = parsed.error.code;
      if (parsed.error?.cause) record.cause = parsed.error.cause;
    } catch {
      // Not JSON (SSE, text): status and headers are what the assertions read.
    }
    if (step.as && !step.keepCookies) {
      if (!state.jars.has(step.as)) state.jars.set(step.as, new Map());
      storeCookies(state.jars.get(step.as)!, record.setCookies);
    }
  } catch (error) {
    record.error = error instanceof Error ? error.name : "fetch failed";
  }
  record.ms = state.deps.now() - t;
  return record;
}

async function runRequest(state: RunState, step: RequestStep): Promise<void> {
  const count = Math.max(1, step.concurrency ?? 1);
  const records = await Promise.all(Array.from({ length: count }, (_, index) => sendOne(state, step, index)));
  state.responses[step.label] = [...(state.responses[step.label] ?? []), ...records];
}

async function runStep(state: RunState, step: Step): Promise<void> {
  const { target, deps } = state;
  switch (step.do) {
    case "request":
      return runRequest(state, step);
    case "connect":
      state.usedKeys.add(step.key);
      return runRequest(state, { do: "request", label: step.label ?? `connect:${step.as}`, method: "POST", path: "/api/v1/auth/connect", body: { provider: step.provider, apiKey: step.key }, as: step.as });
    case "wait":
      return deps.sleep(step.ms);
    case "restartWorker":
      await target.restartWorker(step.vars);
      noteSecrets(state);
      return;
    case "rotateSecret": {
      const previous = target.workerVars().KEY_ENCRYPTION_SECRET ?? "";
      await target.restartWorker({ KEY_ENCRYPTION_SECRET: deps.randomSecret(), KEY_ENCRYPTION_SECRET_PREV: previous });
      noteSecrets(state);
      return;
    }
    case "setFaults": {
      const added = target.control.addFaults({ route: step.route, faults: step.faults, ...(step.server ? { server: step.server } : {}) });
      if (!added.ok) throw new Error(`setFaults: ${added.error}`);
      return;
    }
    case "clearFaults":
      return target.control.resetFaults();
    case "kvOutage":
      return target.setKvOutage(step.on);
  }
}

function noteSecrets(state: RunState): void {
  const vars = state.target.workerVars();
  for (const name of ["KEY_ENCRYPTION_SECRET", "KEY_ENCRYPTION_SECRET_PREV"]) if (vars[name]) state.secrets.add(vars[name]!);
}

function describeStep(step: Step): string {
  switch (step.do) {
    case "request":
      return `${step.label}: ${step.method ?? (step.body !== undefined || step.bodyBytes !== undefined ? "POST" : "GET")} ${step.path}${step.concurrency ? ` ×${step.concurrency}` : ""}`;
    case "connect":
      return `connect ${step.provider} as ${step.as}`;
    case "wait":
      return `wait ${step.ms} ms`;
    case "setFaults":
      return `faults on ${step.route}: ${step.faults.map((fault) => fault.kind).join(", ")}`;
    case "kvOutage":
      return `KV outage ${step.on ? "on" : "off"}`;
    default:
      return step.do;
  }
}

function startCircuitPoll(state: RunState, samples: CircuitSample[]): () => Promise<void> {
  const { deps, target } = state;
  if (deps.circuitPollMs <= 0) return async () => undefined;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const response = await deps.fetch(`${target.workerUrl}/api/v1/metrics`, { signal: AbortSignal.timeout(2000) });
        const body = (await response.json()) as { vpsProxyCircuit?: { state?: string; remainingMs?: number } };
        samples.push({ t: deps.now() - state.startedAt, state: body.vpsProxyCircuit?.state ?? "unknown", remainingMs: body.vpsProxyCircuit?.remainingMs ?? 0 });
      } catch {
        samples.push({ t: deps.now() - state.startedAt, state: "unreachable", remainingMs: 0 });
      }
      await deps.sleep(deps.circuitPollMs);
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

/**
 * Runs one scenario: reseed, reset faults and events, restart the Worker when its vars differ (or a
 * fresh isolate is asked for), install faults, run the traffic, evaluate every assertion.
 */
export async function runScenario(target: LabTarget, scenario: Scenario, deps: ExecutorDeps, options: RunOptions): Promise<ScenarioRun> {
  const startedAt = deps.now();
  const state: RunState = { target, deps, responses: {}, jars: new Map(), usedKeys: new Set(), secrets: new Set(), startedAt };
  const run: ScenarioRun = { name: scenario.name, description: scenario.description, seed: scenario.seed, startedAt, durationMs: 0, steps: [], responses: state.responses, events: [], circuit: [], results: [], passed: false };
  target.control.resetFaults();
  target.control.reseed(scenario.seed);
  const desired = mergeDesired(options.baseVars, scenario.workerVars);
  if (scenario.freshWorker || !sameVars(target.workerVars(), desired)) await target.restartWorker(varsDelta(target.workerVars(), desired));
  noteSecrets(state);
  target.control.clearEvents();
  const stopPoll = startCircuitPoll(state, run.circuit);
  try {
    for (const rule of scenario.faults) await runStep(state, { do: "setFaults", ...rule });
    for (const step of scenario.traffic) {
      run.steps.push({ t: deps.now() - startedAt, step: describeStep(step) });
      await runStep(state, step);
    }
  } catch (error) {
    run.error = error instanceof Error ? error.message : String(error);
  } finally {
    await stopPoll();
    await target.setKvOutage(false).catch(() => undefined);
  }
  run.events = target.control.events(undefined);
  if (!run.error) run.results = await evaluate(scenario.expect, state, run.events);
  target.control.resetFaults();
  run.durationMs = deps.now() - startedAt;
  run.passed = !run.error && run.results.every((result) => result.passed);
  return run;
}
