import { afterEach, describe, expect, it, vi } from "vitest";
import type { BreakerState } from "../../../worker/src/breaker";
import { DEFAULT_RUNS, describeSchedule, explore } from "./explore";
import type { HarnessVariant } from "../targets/in-process";
import { UPSTREAM_ORIGINS } from "../adapters/in-process";

/**
 * Proof that the explorer finds real bugs: each test plants one in the Worker's resilience core
 * (through module mocks or the harness's fetch seam; worker/src is untouched) and expects the
 * explorer to find it within the default run count and shrink it to a schedule of ≤ 6 steps.
 */
const plant = vi.hoisted(() => ({ doubleProbe: false, ignoreRetryBudget: false, keyOutcomesFail: false }));

vi.mock("../../../worker/src/breaker", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../../worker/src/breaker")>();
  // Keyed by the half-open state object: each half-open window is a fresh object, in every schedule.
  const extraProbeGranted = new WeakSet<BreakerState>();
  return {
    ...real,
    /** Planted: while a half-open probe is in flight, one more caller is let through. */
    tryAcquire(state: BreakerState, now: number, options: Parameters<typeof real.tryAcquire>[2]) {
      const result = real.tryAcquire(state, now, options);
      if (plant.doubleProbe && !result.allowed && state.phase === "half-open" && !extraProbeGranted.has(state)) {
        extraProbeGranted.add(state);
        return { ...result, allowed: true };
      }
      return result;
    },
  };
});

vi.mock("../../../worker/src/retry-budget", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../../worker/src/retry-budget")>();
  return {
    ...real,
    /** Planted: the retry ignores the budget. */
    tryWithdrawRetry: (...args: Parameters<typeof real.tryWithdrawRetry>) => plant.ignoreRetryBudget || real.tryWithdrawRetry(...args),
  };
});

vi.mock("../../../worker/src/providers/retry-policy", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../../worker/src/providers/retry-policy")>();
  return {
    ...real,
    /** Planted (issue 15 finding 1, re-introduced): one key's 401/403/429 and an unsendable key count as provider failures. */
    breakerVerdict: (outcome: Parameters<typeof real.breakerVerdict>[0]) => (plant.keyOutcomesFail && real.breakerVerdict(outcome) === "neutral" ? "failure" : real.breakerVerdict(outcome)),
  };
});

/** Planted: the /api/v2 per-attempt timeout stays armed after the headers, so it also aborts the body (SSE). */
const timeoutCutsStreams: HarnessVariant = {
  name: "timeout-cuts-sse",
  wrapFetch: (fetch, sim, config) => (input, init) => {
    if (!String(input instanceof Request ? input.url : input).startsWith(UPSTREAM_ORIGINS.backend)) return fetch(input, init);
    const cut = new AbortController();
    init?.signal?.addEventListener("abort", () => cut.abort(init.signal?.reason), { once: true });
    void sim.sleep(config().vps.timeoutMs).then(() => cut.abort(new DOMException("The operation timed out.", "TimeoutError")));
    return fetch(input, { ...init, signal: cut.signal });
  },
};

afterEach(() => {
  plant.doubleProbe = false;
  plant.ignoreRetryBudget = false;
  plant.keyOutcomesFail = false;
});

/** The honest-fault bugs are hunted as before (no hostile client: its parts would thin out their faults). */
async function findPlanted(expectedInvariant: string | string[], variant?: HarnessVariant, options: { hostile?: boolean; maxSteps?: number } = {}) {
  const result = await explore({ runs: DEFAULT_RUNS, seed: 1, foundDir: null, hostile: options.hostile ?? false, ...(variant ? { variant } : {}) });
  expect(result.failure, "the explorer found nothing").not.toBeNull();
  const failure = result.failure!;
  console.info(
    `[planted ${failure.violation.invariant}] found at schedule ${failure.foundAtRun} after ${failure.foundAfterMs.toFixed(0)} ms, shrunk in ${(result.elapsedMs - failure.foundAfterMs).toFixed(0)} ms ` +
      `(${failure.shrinks} shrinks) to ${failure.schedule.steps.length} steps\n${describeSchedule(failure.schedule)}\n  ${failure.violation.message}`,
  );
  expect([expectedInvariant].flat()).toContain(failure.violation.invariant);
  expect(failure.schedule.steps.length).toBeLessThanOrEqual(options.maxSteps ?? 6);
  return failure;
}

describe("the explorer finds planted bugs", () => {
  it("finds a breaker that lets two probes through half-open", async () => {
    plant.doubleProbe = true;
    const failure = await findPlanted("single-probe");
    expect(failure.schedule.steps.some((step) => step.do === "request" && (step.concurrency ?? 1) >= 2)).toBe(true);
  });

  it("finds a retry that ignores the retry budget", async () => {
    plant.ignoreRetryBudget = true;
    await findPlanted("retry-amplification");
  });

  it("finds a timeout that also cuts SSE streams", async () => {
    const failure = await findPlanted("sse-not-cut", timeoutCutsStreams);
    expect(failure.schedule.steps.some((step) => step.do === "request" && step.path.startsWith("/api/v2/events?"))).toBe(true);
  });

  it("finds a provider breaker that counts one key's refusals as provider failures (issue 15 finding 1)", async () => {
    plant.keyOutcomesFail = true;
    const failure = await findPlanted(["isolation", "provider-breaker"], undefined, { hostile: true });
    // Either the hostile client's refused key switched AI off for an honest user, or an honest key's
    // own 429 opened the shared breaker where the model keeps it closed.
    expect(failure.schedule.steps.some((step) => step.do === "connect")).toBe(true);
  });

  it("finds nothing in the real Worker with the same seed and run count, with or without the hostile client", async () => {
    for (const hostile of [false, true]) {
      const result = await explore({ runs: DEFAULT_RUNS, seed: 1, foundDir: null, hostile });
      expect(result.failure).toBeNull();
      expect(result.schedules).toBe(DEFAULT_RUNS);
      expect((result.twinRuns ?? 0) > 0).toBe(hostile);
    }
  });
});
