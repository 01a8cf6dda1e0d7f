import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, vi } from "vitest";
import type { Deps } from "../src/deps";
import { resetControlPlaneFallback } from "../src/control-plane-client";
import type { WorkerEnv } from "../src/env";
import { handleRequest } from "../src/index";
import { resetMetrics, metrics } from "../src/metrics";
import { resetRetryBudget } from "../src/proxy";
import { resetVpsCircuit } from "../src/vps-circuit";
import { makeEnv } from "./fakes";
import { createVirtualTimers, type VirtualTimers } from "./virtual-timers";

/** The fake backend's origin (msw intercepts it; nothing listens there). */
export const VPS_ORIGIN = "http://127.0.0.1:8620";
/** The Worker's own public origin in these tests. */
export const WORKER_ORIGIN = "https://pb.example.org";

/**
 * The tests' clock: backoff sleeps, attempt timeouts and the lab network's waits (SSE pacing, fault
 * pauses) all run on it, so no test waits on a real timer. A lab wait jumps the clock to the
 * earliest timer (virtual-timers.ts `sleep`). A hung backend reaches the attempt timeout
 * through `elapseNextTimer`; an SSE body outlives the timeout as its pacing moves the clock (a timer
 * left armed would then fire).
 */
export type ManualClock = VirtualTimers;

export function createClock(start = Date.UTC(2026, 10, 1, 12, 0, 0)): ManualClock {
  return createVirtualTimers(start);
}

/** mulberry32: a seeded RNG so every jittered delay replays. */
export function seededRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A real network fetch errors the response body when its signal aborts after the headers; msw's
 * mocked bodies ignore the signal. This restores the production rule, so a proxy that left its
 * timeout armed over the body would really cut the stream in these tests.
 */
async function fetchWithAbortableBody(input: Request | string | URL, init?: RequestInit): Promise<Response> {
  const response = await globalThis.fetch(input, init);
  const signal = init?.signal;
  if (!signal || !response.body) return response;
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      signal.addEventListener("abort", () => controller.error(signal.reason), { once: true });
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

export function testDeps(clock: ManualClock, seed = 7): Deps & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: clock.now,
    rng: seededRng(seed),
    fetch: fetchWithAbortableBody,
    timeout: clock.timeout,
    async sleep(ms, signal) {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      clock.advance(ms);
    },
  };
}

/** Fresh isolate-level state: closed circuit, full retry budget, zeroed counters. */
export function resetIsolate(): void {
  resetVpsCircuit();
  resetRetryBudget();
  resetControlPlaneFallback();
  resetMetrics();
}

/**
 * Per-file test setup for the /api/v2 suites: msw refusing unhandled requests, a fresh isolate and
 * silenced Worker warnings before each test. Returns the msw server for `server.use(handler)`.
 */
export function useProxyTestServer(): ReturnType<typeof setupServer> {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  beforeEach(() => {
    resetIsolate();
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
  });
  afterEach(() => {
    server.resetHandlers();
    vi.restoreAllMocks();
  });
  afterAll(() => server.close());
  return server;
}

export function proxyEnv(overrides: Partial<WorkerEnv> = {}, clock?: ManualClock): WorkerEnv {
  return makeEnv({ VPS_API_ORIGIN: VPS_ORIGIN, ...overrides }, clock?.now);
}

export interface Harness {
  clock: ManualClock;
  deps: ReturnType<typeof testDeps>;
  env: WorkerEnv;
  /** Calls the Worker for a path under WORKER_ORIGIN (or an absolute URL). */
  call(path: string, init?: RequestInit): Promise<Response>;
}

export function createHarness(overrides: Partial<WorkerEnv> = {}): Harness {
  const clock = createClock();
  const deps = testDeps(clock);
  const env = proxyEnv(overrides, clock);
  return {
    clock,
    deps,
    env,
    call: (path, init) => handleRequest(new Request(path.startsWith("http") ? path : `${WORKER_ORIGIN}${path}`, init), env, deps),
  };
}

export const counter = (name: keyof typeof metrics.metrics): number => metrics.metrics[name];

export interface ErrorBody {
  error: { code: string; message: string; retryable: boolean; cause?: string; requestId: string };
}

export async function errorOf(response: Response): Promise<ErrorBody["error"]> {
  return ((await response.json()) as ErrorBody).error;
}
