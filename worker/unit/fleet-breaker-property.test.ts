import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getConfig } from "../src/config";
import { createContext } from "../src/context";
import { acquireProviderPermit } from "../src/control-plane-client";
import type { StateReply } from "../src/control-plane-core";
import type { DoNamespace } from "../src/env";
import { createIsolateState, type IsolateState } from "../src/isolate-state";
import { CONTROL_PLANE_NAME } from "../src/keys";
import { viewOf } from "../src/provider-view";
import { createControlPlaneNamespace, post } from "./control-plane-harness";
import { makeEnv } from "./fakes";
import { createClock, testDeps } from "./proxy-harness";

/**
 * Random interleavings of attempts on several isolates sharing one ControlPlaneDO
 * (docs/decisions/0006-fleet-breaker-protocol.md), checking the fleet rules after every step:
 * - the object opens exactly when it has received the threshold failures with no success between;
 * - an isolate calls the provider directly while the fleet is open only within one refresh interval
 *   of its last learn, or as the call that starts the refresh;
 * - at most one probe is granted per open window, fleet-wide;
 * - once the fleet is closed, no isolate refuses beyond the window it learned.
 */

beforeEach(() => void vi.spyOn(console, "warn").mockImplementation(() => undefined));
afterEach(() => vi.restoreAllMocks());

const THRESHOLD = 3;
const REFRESH_MS = 2_000;
const OPEN_MS = 5_000;

const step = fc.record({
  isolate: fc.nat({ max: 3 }),
  verdict: fc.constantFrom("success" as const, "failure" as const, "failure" as const, "neutral" as const),
  advanceMs: fc.constantFrom(0, 50, 400, 1_500, 6_000),
});

async function runScenario(steps: { isolate: number; verdict: "success" | "failure" | "neutral"; advanceMs: number }[]): Promise<void> {
  const clock = createClock();
  const env = makeEnv({ PROVIDER_CIRCUIT_FAILURE_THRESHOLD: String(THRESHOLD), PROVIDER_CIRCUIT_OPEN_MS: String(OPEN_MS), PROVIDER_CIRCUIT_REFRESH_MS: String(REFRESH_MS) });
  const inner = createControlPlaneNamespace(env, clock.now);
  const calls: string[] = [];
  const probesByWindow = new Map<number, number>();
  let lastOpenUntil = 0;
  env.CONTROL_PLANE_DO = {
    idFromName: (name) => inner.idFromName(name),
    get: (id) => ({
      fetch: async (input, init) => {
        const path = new URL(String(input)).pathname;
        calls.push(path);
        const response = await inner.get(id).fetch(input, init);
        if (path === "/breaker/acquire") {
          const reply = (await response.clone().json()) as { probe: boolean };
          if (reply.probe) probesByWindow.set(lastOpenUntil, (probesByWindow.get(lastOpenUntil) ?? 0) + 1);
        }
        return response;
      },
    }),
  } satisfies DoNamespace;
  const config = getConfig(env);
  const deps = testDeps(clock);
  const isolates: IsolateState[] = Array.from({ length: 4 }, () => createIsolateState(clock.now()));
  const pending: Promise<unknown>[] = [];
  const shared = async () => (await post<StateReply>(inner, CONTROL_PLANE_NAME, "/breaker/state", { provider: "gemini", now: clock.now() })).body.shared;
  let streak = 0;

  for (const { isolate: index, verdict, advanceMs } of steps) {
    const isolate = isolates[index]!;
    const before = await shared();
    if (before.openUntil !== null) lastOpenUntil = before.openUntil;
    const learnedAt = viewOf(isolate.providerViews, "gemini").asOf;
    const callsBefore = calls.length;
    const ctx = createContext(new Request("https://pb.example.org/api/v1/ai/analyze", { method: "POST" }), env, config, deps, "req-fleet-prop", (p) => void pending.push(p), isolate);
    const permit = await acquireProviderPermit(ctx, "gemini").catch(() => null);
    const asked = calls.slice(callsBefore).includes("/breaker/acquire");
    const startedRefresh = calls.slice(callsBefore).includes("/breaker/state");
    if (permit && !asked && before.phase === "open") {
      expect(clock.now() < learnedAt + REFRESH_MS || startedRefresh).toBe(true);
    }
    if (!permit && before.phase === "closed") {
      // A refusal while the fleet is closed comes only from a window this isolate learned.
      expect(clock.now()).toBeLessThan(lastOpenUntil);
    }
    if (permit) {
      const phaseAtReport = (await shared()).phase;
      await permit.report(verdict);
      while (pending.length > 0) await Promise.all(pending.splice(0));
      const after = await shared();
      if (phaseAtReport === "closed" && verdict === "failure") {
        expect(after.phase).toBe(streak + 1 >= THRESHOLD ? "open" : "closed");
      }
      streak = after.phase === "closed" ? after.failures : 0;
    }
    while (pending.length > 0) await Promise.all(pending.splice(0));
    clock.advance(advanceMs);
  }
  for (const probes of probesByWindow.values()) expect(probes).toBeLessThanOrEqual(1);
}

describe("fleet provider breaker (property)", () => {
  it("keeps the fleet rules under any interleaving of four isolates", async () => {
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), runScenario), { numRuns: 150 });
  });
});
