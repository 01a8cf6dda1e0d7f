import { installLabNetwork, type LabNetwork, type MswServer, type SeenLabRequest } from "../../fault-lab/src/adapters/msw";
import type { Clock } from "../../fault-lab/src/clock/clock";
import type { FaultSpec } from "../../fault-lab/src/faults/types";
import { geminiError, geminiReply } from "../../fault-lab/src/fakes/gemini-wire";
import { openrouterError, openrouterReply } from "../../fault-lab/src/fakes/openrouter-wire";
import { getConfig } from "../src/config";
import { createContext, type RequestContext } from "../src/context";
import type { Deps } from "../src/deps";
import type { WorkerEnv } from "../src/env";
import type { Credential } from "../src/types";
import { GEMINI_BASE, makeEnv, OPENROUTER_BASE } from "./fakes";
import { createVirtualTimers, type VirtualTimers } from "./virtual-timers";


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
  /** The attempt timers on the manual clock (the lab network's clock too). */
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

export function testContext(envOverrides: Partial<WorkerEnv> = {}, deps: Deps = createTestDeps()): RequestContext {
  const env = makeEnv({ ...QUIET_RESILIENCE, ...envOverrides }, deps.now);
  const request = new Request("http://127.0.0.1/api/v1/ai/analyze", { method: "POST" });
  return createContext(request, env, getConfig(env), deps, "req-ai-test-0001");
}

/** The lab's Gemini and OpenRouter fakes on a test's msw server, on the test's virtual clock. */
export interface AiLab {
  readonly network: LabNetwork;
  /** What the provider of `credential` received, in order. */
  seenBy(credential: Credential): SeenLabRequest[];
  /**
   * The provider's next answers, replacing any earlier script: each fault in turn for its `times`
   * requests (one without `times` answers every request after); with none, the lab fake answers.
   */
  script(credential: Credential, ...faults: FaultSpec[]): void;
}

/** The lab's Gemini and OpenRouter fakes at the bases `makeEnv` points the Worker at, their waits on `clock`. */
export function installProviderFakes(server: MswServer, clock: Clock): LabNetwork {
  return installLabNetwork(server, { clock, origins: { gemini: GEMINI_BASE, openrouter: OPENROUTER_BASE } });
}

export function installAiLab(server: MswServer, deps: TestDeps): AiLab {
  const network = installProviderFakes(server, deps.timers);
  return {
    network,
    seenBy: (credential) => network.seenBy(credential.provider),
    script(credential, ...faults) {
      network.control.resetFaults();
      network.addRules({ route: "*", server: credential.provider, faults });
    },
  };
}

/** The JSON body a fake received. */
export const bodyOf = (seen: SeenLabRequest): Record<string, unknown> => JSON.parse(new TextDecoder().decode(seen.body)) as Record<string, unknown>;

/** The provider answers with this model text (its real success body). */
export function replyWith(credential: Credential, text: string): FaultSpec {
  return { kind: "status", status: 200, body: credential.provider === "gemini" ? geminiReply(text) : openrouterReply(text, { id: "gen-unit-ai" }) };
}

/** A Gemini success whose candidates the test reshapes (thought parts, a safety block); the rest of the envelope is the wire module's. */
export function reshapedGeminiReply(reshape: (candidate: Record<string, unknown>) => Record<string, unknown>): FaultSpec {
  const reply = geminiReply("") as { candidates: Record<string, unknown>[] };
  return { kind: "status", status: 200, body: { ...reply, candidates: reply.candidates.map(reshape) } };
}

/** The provider's real error body for `status`, with a message that echoes the key, as real providers may. */
export function keyEchoingError(credential: Credential, status: number): Record<string, unknown> {
  const real = (credential.provider === "gemini" ? geminiError(status) : openrouterError(status)) as { error: Record<string, unknown> };
  return { error: { ...real.error, message: `Problem with key ${credential.apiKey}` } };
}
