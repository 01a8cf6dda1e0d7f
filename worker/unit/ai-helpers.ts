import { geminiError, geminiReply } from "../../fault-lab/src/fakes/gemini-wire";
import { openrouterError, openrouterReply } from "../../fault-lab/src/fakes/openrouter-wire";
import { http, HttpResponse, type HttpResponseResolver, type JsonBodyType } from "msw";
import { getConfig } from "../src/config";
import { createContext, type RequestContext } from "../src/context";
import type { Deps } from "../src/deps";
import type { WorkerEnv } from "../src/env";
import type { Credential } from "../src/types";
import { makeEnv } from "./fakes";
import { createVirtualTimers, type VirtualTimers } from "./virtual-timers";

export const GEMINI_BASE = "http://127.0.0.1:8611";
export const OPENROUTER_BASE = "http://127.0.0.1:8612";
export const GEMINI_URL = `${GEMINI_BASE}/v1beta/models/gemini-2.5-flash:generateContent`;
export const OPENROUTER_URL = `${OPENROUTER_BASE}/api/v1/chat/completions`;

export const GEMINI_KEY = "AIza-test-key-123456";
export const OPENROUTER_KEY = "sk-or-v1-test-key-abcdef123456";
export const gemini: Credential = { provider: "gemini", apiKey: GEMINI_KEY };
export const openrouter: Credential = { provider: "openrouter", apiKey: OPENROUTER_KEY };

/** 2026-11-02 12:00 UTC: the tests' "today". */
export const NOW = Date.UTC(2026, 10, 2, 12, 0, 0);

/** Keeps the shared provider breaker and the limiter out of the way of tests about other things. */
export const QUIET_RESILIENCE: Partial<WorkerEnv> = { PROVIDER_CIRCUIT_FAILURE_THRESHOLD: "50", RATE_LIMIT_MAX: "10000" };

export interface TestDeps extends Deps {
  /** Every backoff the code asked for, in ms. Sleeping is instant. */
  readonly sleeps: number[];
  advance(ms: number): void;
  /** The attempt timers on the manual clock (see `hangUntilTimeout`). */
  readonly timers: VirtualTimers;
}

/** Manual clock with virtual attempt timers, seeded RNG (mulberry32), instant recorded sleep, fetch looked up at call time. */
export function createTestDeps(startMs = NOW, seed = 42): TestDeps {
  const timers = createVirtualTimers(startMs);
  let state = seed >>> 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    timers,
    advance: (ms) => timers.advance(ms),
    now: timers.now,
    timeout: timers.timeout,
    rng: () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
    fetch: (input, init) => globalThis.fetch(input, init),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
}

/**
 * A provider that never answers: its request lasts until the Worker's attempt timer fires, which on
 * the virtual clock is at once (the clock moves by the timeout).
 */
export const hangUntilTimeout =
  (deps: TestDeps): HttpResponseResolver =>
  () => {
    deps.timers.elapseNextTimer();
    return new Promise<never>(() => undefined);
  };

export function testContext(envOverrides: Partial<WorkerEnv> = {}, deps: Deps = createTestDeps()): RequestContext {
  const env = makeEnv({ ...QUIET_RESILIENCE, ...envOverrides }, deps.now);
  const request = new Request("http://127.0.0.1/api/v1/ai/analyze", { method: "POST" });
  return createContext(request, env, getConfig(env), deps, "req-ai-test-0001");
}

export interface SeenRequest {
  url: string;
  headers: Headers;
  body: Record<string, unknown>;
}

/** A provider endpoint answering with `responses` in turn (the last one repeats), recording requests. */
export function scriptedEndpoint(url: string, responses: HttpResponseResolver[]) {
  const seen: SeenRequest[] = [];
  const handler = http.post(url, async (info) => {
    seen.push({ url: info.request.url, headers: info.request.headers, body: (await info.request.clone().json()) as Record<string, unknown> });
    const respond = responses[Math.min(seen.length - 1, responses.length - 1)]!;
    return respond(info);
  });
  return { handler, seen };
}

export const geminiAnswer = (text: string): HttpResponseResolver => () => HttpResponse.json(geminiReply(text));

export const openrouterAnswer = (text: string): HttpResponseResolver => () => HttpResponse.json(openrouterReply(text, { id: "gen-unit-ai" }));

export const answerFor = (credential: Credential, text: string): HttpResponseResolver =>
  credential.provider === "gemini" ? geminiAnswer(text) : openrouterAnswer(text);

export const urlFor = (credential: Credential): string => (credential.provider === "gemini" ? GEMINI_URL : OPENROUTER_URL);

/** The lab's real provider error bodies (fault-lab/src/fakes/*-wire.ts); `message` deliberately echoes the key, as real providers may. */
export function providerError(credential: Credential, status: number, options: { headers?: Record<string, string>; body?: JsonBodyType } = {}): HttpResponseResolver {
  const real = (credential.provider === "gemini" ? geminiError(status) : openrouterError(status)) as { error: Record<string, unknown> };
  const body = options.body ?? { error: { ...real.error, message: `Problem with key ${credential.apiKey}` } };
  return () => HttpResponse.json(body, { status, ...(options.headers ? { headers: options.headers } : {}) });
}
