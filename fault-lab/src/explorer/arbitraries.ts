import fc from "fast-check";
import type { FaultSpec } from "../faults/types";
import { hostilePart } from "./arbitraries-hostile";
import { SCHEDULE_VERSION, type ExplorerStep, type Schedule } from "../steps/schedule";

/**
 * fast-check arbitraries over the lab's own fault and step data: every generated value is a valid
 * lab scenario fragment, and fast-check shrinks it step by step (fewer steps, smaller bursts,
 * simpler faults).
 */
const withKnobs = (fault: fc.Arbitrary<FaultSpec>): fc.Arbitrary<FaultSpec> =>
  fc
    .tuple(fault, fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }), fc.option(fc.constant(0.5), { nil: undefined, freq: 4 }))
    .map(([spec, times, probability]) => ({ ...spec, ...(times !== undefined ? { times } : {}), ...(probability !== undefined ? { probability } : {}) }));

const serverError = fc.constantFrom(500, 502, 503, 504);
const retryAfterSeconds = fc.integer({ min: 1, max: 30 });

/** What the backend does to an attempt: 5xx (± Retry-After), hang past the timeout, slow headers, reset, broken SSE. */
export const backendFault: fc.Arbitrary<FaultSpec> = withKnobs(
  fc.oneof(
    serverError.map((status) => ({ kind: "status", status })),
    fc.tuple(serverError, retryAfterSeconds).map(([status, retryAfter]) => ({ kind: "status", status, retryAfter })),
    retryAfterSeconds.map((dateOffset) => ({ kind: "retry-after", dateOffset })),
    fc.constant({ kind: "hang" }),
    fc.constantFrom(2_000, 6_500, 9_000).map((ms) => ({ kind: "hang", ms })),
    fc.constantFrom(100, 1_500).map((ms) => ({ kind: "latency", ms })),
    fc.constant({ kind: "reset" }),
    fc.integer({ min: 0, max: 3 }).map((afterEvents) => ({ kind: "sse-truncate", afterEvents })),
    fc.integer({ min: 0, max: 3 }).map((afterEvents) => ({ kind: "sse-stall", afterEvents })),
    fc.constantFrom(10, 40).map((intervalMs) => ({ kind: "slow-body", bytesPerChunk: 16, intervalMs })),
  ),
);

/**
 * Provider header delays around the 12 s attempt timeout (PROVIDER_TIMEOUT_MS): well below, just
 * below, exactly at (the Worker's timer is armed first, so it wins the tie), just above, far above.
 */
const providerHeaderDelayMs = fc.constantFrom(1_500, 11_000, 12_000, 13_000, 30_000);

/** What a provider does: 5xx, 429 with Retry-After, reset, broken JSON, hang past the timeout, slow headers. */
export const providerFault: fc.Arbitrary<FaultSpec> = withKnobs(
  fc.oneof(
    fc.constantFrom(500, 503).map((status) => ({ kind: "status", status })),
    retryAfterSeconds.map((retryAfter) => ({ kind: "status", status: 429, retryAfter })),
    fc.constant({ kind: "reset" }),
    fc.constant({ kind: "malformed-json" }),
    fc.constant({ kind: "hang" }),
    providerHeaderDelayMs.map((ms) => ({ kind: "hang", ms })),
    fc.constantFrom(500, 11_500).map((ms) => ({ kind: "latency", ms })),
  ),
);

const V2_REQUESTS = [
  { path: "/api/v2/sync/pull" },
  { path: "/api/v2/sync/push", method: "POST", body: { changes: [{ id: "n1" }] }, headers: { "idempotency-key": "explorer-push" } },
  { path: "/api/v2/events/ticket", method: "POST" },
  { path: "/api/v2/events?events=3&intervalMs=1000" },
  { path: "/api/v2/events?events=4&intervalMs=3000" },
] as const;

const JARS = ["u1", "u2"] as const;

/** A burst size: mostly 1, sometimes enough to hit the half-open probe with concurrent callers. */
const concurrency = fc.oneof({ weight: 5, arbitrary: fc.constant(1) }, { weight: 3, arbitrary: fc.integer({ min: 2, max: 5 }) }, { weight: 2, arbitrary: fc.integer({ min: 6, max: 50 }) });

/** Gaps around the 20 s open window: well inside it, just before, just after, far past. */
const gap = fc.constantFrom(500, 5_000, 19_000, 20_000, 21_000, 60_000);

type Draft = ExplorerStep | { do: "request"; path: string; method?: string; body?: unknown; headers?: Record<string, string>; concurrency?: number; as?: string };

const connectStep = (provider: "gemini" | "openrouter", as: string): Draft => ({ do: "connect", provider, as, key: provider === "gemini" ? `AIzaSyExplorer${as}Key0123456789` : `sk-or-v1-explorer-${as}-0123456789` });
const aiRequest = (as: string, action: string): Draft => ({ do: "request", path: `/api/v1/ai/${action}`, method: "POST", body: action === "analyze" ? { content: "Explorer note: call the plumber tomorrow" } : { query: "plumber" }, as });

const draftStep: fc.Arbitrary<Draft> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...V2_REQUESTS), concurrency).map(([request, count]) => ({ do: "request" as const, ...request, ...(count > 1 ? { concurrency: count } : {}) })) },
  { weight: 3, arbitrary: fc.tuple(fc.array(backendFault, { minLength: 1, maxLength: 2 })).map(([faults]) => ({ do: "setFaults" as const, route: "*", server: "backend" as const, faults })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("gemini" as const, "openrouter" as const), fc.array(providerFault, { minLength: 1, maxLength: 2 })).map(([server, faults]) => ({ do: "setFaults" as const, route: "*", server, faults })) },
  { weight: 2, arbitrary: fc.constant({ do: "clearFaults" as const }) },
  { weight: 3, arbitrary: gap.map((ms) => ({ do: "wait" as const, ms })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("gemini" as const, "openrouter" as const), fc.constantFrom(...JARS)).map(([provider, as]) => connectStep(provider, as)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...JARS), fc.constantFrom("analyze", "search")).map(([as, action]) => aiRequest(as, action)) },
  { weight: 1, arbitrary: fc.constantFrom(...JARS).map((as) => ({ do: "request" as const, path: "/api/v1/auth/status", as })) },
  { weight: 1, arbitrary: fc.constant({ do: "rotateSecret" as const }) },
  { weight: 1, arbitrary: fc.constant({ do: "restartWorker" as const, vars: { KEY_ENCRYPTION_SECRET_PREV: "" } }) },
  { weight: 1, arbitrary: fc.boolean().map((on) => ({ do: "kvOutage" as const, on })) },
  { weight: 1, arbitrary: fc.boolean().map((on) => ({ do: "doOutage" as const, on })) },
);


/**
 * Episodes: short step sequences that reach deep states single steps rarely line up (a connected
 * session meeting a provider fault; an outage that opens the circuit, then a burst at half-open).
 * An episode shrinks away as a whole.
 */
const episode: fc.Arbitrary<Draft[]> = fc.oneof(
  fc
    .tuple(fc.constantFrom("gemini" as const, "openrouter" as const), fc.constantFrom(...JARS), fc.array(providerFault, { minLength: 1, maxLength: 2 }), fc.constantFrom("analyze", "search"), concurrency)
    .map(([provider, as, faults, action, count]): Draft[] => [
      connectStep(provider, as),
      { do: "setFaults", route: "*", server: provider, faults },
      { ...aiRequest(as, action), ...(count > 1 ? { concurrency: count } : {}) },
    ]),
  fc.tuple(fc.array(backendFault, { minLength: 1, maxLength: 2 }), fc.integer({ min: 3, max: 20 }), gap, fc.integer({ min: 2, max: 10 })).map(([faults, crowd, ms, burst]): Draft[] => [
    { do: "setFaults", route: "*", server: "backend", faults },
    { do: "request", path: "/api/v2/sync/pull", concurrency: crowd },
    { do: "wait", ms },
    { do: "request", path: "/api/v2/sync/pull", concurrency: burst },
  ]),
);

/** Labels are positional, so a shrunk schedule reads "s0, s1, …" again. */
function label(steps: Draft[]): ExplorerStep[] {
  return steps.map((step, index) => (step.do === "request" ? ({ ...step, label: `s${index}` } as ExplorerStep) : (step as ExplorerStep)));
}

const workerVars = fc.record({
  VPS_PROXY_RETRIES: fc.constantFrom("0", "1", "2", "3"),
  VPS_PROXY_CIRCUIT_FAILURE_THRESHOLD: fc.constantFrom("1", "3"),
  PROVIDER_RETRIES: fc.constantFrom("0", "1", "2"),
});

/**
 * A whole schedule: seed for the fakes' RNG, a few config knobs, 1–`maxSteps` parts (a step or an
 * episode; with `hostile`, also the attacker's parts from arbitraries-hostile.ts).
 */
export const scheduleArbitrary = (maxSteps = 12, options: { hostile?: boolean } = {}): fc.Arbitrary<Schedule> =>
  fc
    .record({
      seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      workerVars,
      parts: fc.array(
        fc.oneof(
          { weight: 6, arbitrary: draftStep.map((step) => [step]) },
          { weight: 1, arbitrary: episode },
          ...(options.hostile ? [{ weight: 2, arbitrary: hostilePart as fc.Arbitrary<Draft[]> }] : []),
        ),
        { minLength: 1, maxLength: maxSteps },
      ),
    })
    .map(({ seed, workerVars: vars, parts }) => ({ version: SCHEDULE_VERSION, seed, workerVars: vars, steps: label(parts.flat()) }));
