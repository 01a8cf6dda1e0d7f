import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { acquireCell, breakerCell, recordCell, releaseCell } from "../src/breaker-cell";
import { getConfig } from "../src/config";
import type { AcquireReply, RateLimitReply, ReportReply, ViewsReply } from "../src/control-plane";
import { acquireProvider, controlPlaneMemory, decideRateLimit, providerViews, reportProvider } from "../src/control-plane-core";
import { CONTROL_PLANE_NAME, rateLimitKey } from "../src/keys";
import { createControlPlaneNamespace, post } from "./control-plane-harness";
import { makeEnv } from "./fakes";

const T0 = 1_800_000_000_000;
const OVERRIDES = { PROVIDER_CIRCUIT_FAILURE_THRESHOLD: "3", PROVIDER_CIRCUIT_OPEN_MS: "5000", RATE_LIMIT_MAX: "4", RATE_LIMIT_WINDOW_MS: "10000" };
const BUCKETS = [rateLimitKey("anon", "198.51.100.7"), rateLimitKey("anon", "203.0.113.9")];

type Op =
  | { kind: "acquire"; provider: "gemini" | "openrouter"; dt: number }
  | { kind: "report"; provider: "gemini" | "openrouter"; dt: number; success: boolean; asProbe: boolean }
  | { kind: "rate"; bucket: number; dt: number }
  | { kind: "evict" };

const provider = fc.constantFrom("gemini" as const, "openrouter" as const);
const dt = fc.integer({ min: 0, max: 4000 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("acquire" as const), provider, dt }),
  fc.record({ kind: fc.constant("report" as const), provider, dt, success: fc.boolean(), asProbe: fc.boolean() }),
  fc.record({ kind: fc.constant("rate" as const), bucket: fc.integer({ min: 0, max: 1 }), dt }),
  fc.constant({ kind: "evict" as const }),
);

describe("the Durable Object and the Worker's in-memory fallback decide alike", () => {
  it("answers every acquire, report and rate-limit exactly as the core does on plain memory, across evictions", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const env = makeEnv(OVERRIDES);
        const config = getConfig(env);
        const namespace = createControlPlaneNamespace(env);
        const memory = controlPlaneMemory();
        const lastProbe = { gemini: null as number | null, openrouter: null as number | null };
        let now = T0;
        for (const step of ops) {
          if (step.kind === "evict") {
            namespace.evict(CONTROL_PLANE_NAME);
            for (const bucket of BUCKETS) namespace.evict(bucket);
            continue;
          }
          now += step.dt;
          if (step.kind === "acquire") {
            const viaDo = await post<AcquireReply>(namespace, CONTROL_PLANE_NAME, "/breaker/acquire", { provider: step.provider, now });
            const local = acquireProvider(memory, step.provider, now, config);
            expect(viaDo.body).toEqual(local);
            if (local.probe) lastProbe[step.provider] = local.probeSeq;
          } else if (step.kind === "report") {
            const probeSeq = step.asProbe ? lastProbe[step.provider] : null;
            const viaDo = await post<ReportReply>(namespace, CONTROL_PLANE_NAME, "/breaker/report", { provider: step.provider, now, success: step.success, probeSeq });
            expect(viaDo.body).toEqual(reportProvider(memory, step.provider, now, config, step.success, probeSeq));
          } else {
            const key = BUCKETS[step.bucket]!;
            const viaDo = await post<RateLimitReply>(namespace, key, "/rate-limit", { key, now });
            expect(viaDo.body).toEqual(decideRateLimit(memory, key, now, config).reply);
          }
        }
        const views = await post<ViewsReply>(namespace, CONTROL_PLANE_NAME, "/breaker/views", { now });
        expect(views.body).toEqual(providerViews(memory, now));
      }),
      { numRuns: 150 },
    );
  });

  it("writes a breaker snapshot only when a decision changed the state", async () => {
    const namespace = createControlPlaneNamespace(makeEnv(OVERRIDES));
    for (let index = 0; index < 5; index += 1) await post(namespace, CONTROL_PLANE_NAME, "/breaker/acquire", { provider: "gemini", now: T0 + index });
    await post(namespace, CONTROL_PLANE_NAME, "/breaker/report", { provider: "gemini", now: T0 + 10, success: true, probeSeq: null });
    expect(namespace.storage(CONTROL_PLANE_NAME).puts).toEqual([]);
    await post(namespace, CONTROL_PLANE_NAME, "/breaker/report", { provider: "gemini", now: T0 + 11, success: false, probeSeq: null });
    expect(namespace.storage(CONTROL_PLANE_NAME).puts).toHaveLength(1);
  });
});

describe("breaker cell", () => {
  const options = { threshold: 2, openMs: 1000, probeTimeoutMs: 500 };

  it("reports the opening once: the failure that trips it, and the failed probe that re-opens it", () => {
    const cell = breakerCell();
    expect(recordCell(cell, T0, options, false, null)).toBe(false);
    expect(recordCell(cell, T0, options, false, null)).toBe(true);
    expect(recordCell(cell, T0 + 1, options, false, null)).toBe(false);
    const probe = acquireCell(cell, T0 + 1000, options);
    expect(probe).toMatchObject({ allowed: true, probe: true });
    expect(recordCell(cell, T0 + 1001, options, false, probe.probeSeq)).toBe(true);
  });

  it("keeps the same state object when nothing changes, and frees a released probe for the next caller", () => {
    const cell = breakerCell();
    const closed = cell.state;
    acquireCell(cell, T0, options);
    recordCell(cell, T0, options, true, null);
    expect(cell.state).toBe(closed);
    recordCell(cell, T0, options, false, null);
    recordCell(cell, T0, options, false, null);
    const probe = acquireCell(cell, T0 + 1000, options);
    expect(acquireCell(cell, T0 + 1001, options).allowed).toBe(false);
    releaseCell(cell, T0 + 1002, probe.probeSeq);
    expect(acquireCell(cell, T0 + 1002, options)).toMatchObject({ allowed: true, probe: true });
  });
});
