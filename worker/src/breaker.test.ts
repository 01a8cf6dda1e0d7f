import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  initialBreakerState,
  justOpened,
  onFailure,
  onSuccess,
  releaseProbe,
  restore,
  snapshot,
  tryAcquire,
  view,
  type BreakerOptions,
  type BreakerState,
} from "./breaker";

const options: BreakerOptions = { threshold: 3, openMs: 20_000, probeTimeoutMs: 15_000 };

function failTimes(state: BreakerState, times: number, now: number): BreakerState {
  let next = state;
  for (let index = 0; index < times; index += 1) next = onFailure(next, now, options);
  return next;
}

describe("breaker state machine", () => {
  it("opens on the third consecutive failure, not the second", () => {
    const afterTwo = failTimes(initialBreakerState(), 2, 0);
    expect(view(afterTwo, 0).state).toBe("closed");
    const afterThree = onFailure(afterTwo, 0, options);
    expect(view(afterThree, 0)).toEqual({ state: "open", open: true, openUntil: 20_000, remainingMs: 20_000 });
    expect(justOpened(afterTwo, afterThree)).toBe(true);
  });

  it("resets the streak on any success while closed", () => {
    const state = onSuccess(failTimes(initialBreakerState(), 2, 0), 0, options);
    expect(view(failTimes(state, 2, 0), 0).state).toBe("closed");
  });

  it("refuses while open with the remaining window", () => {
    const open = failTimes(initialBreakerState(), 3, 1_000);
    const result = tryAcquire(open, 6_000, options);
    expect(result).toMatchObject({ allowed: false, probe: false, retryAfterMs: 15_000 });
  });

  it("grants exactly one probe after the window and refuses everyone else while it runs", () => {
    const open = failTimes(initialBreakerState(), 3, 0);
    const probe = tryAcquire(open, 20_000, options);
    expect(probe).toMatchObject({ allowed: true, probe: true, probeSeq: 1 });
    const other = tryAcquire(probe.state, 20_001, options);
    expect(other).toMatchObject({ allowed: false, probe: false, retryAfterMs: 0 });
    expect(view(probe.state, 20_001).state).toBe("half-open");
  });

  it("closes on probe success and re-opens for a full window on probe failure", () => {
    const probe = tryAcquire(failTimes(initialBreakerState(), 3, 0), 25_000, options);
    expect(view(onSuccess(probe.state, 25_100, options, probe.probeSeq), 25_100).state).toBe("closed");
    const reopened = onFailure(probe.state, 25_100, options, probe.probeSeq);
    expect(view(reopened, 25_100)).toMatchObject({ state: "open", openUntil: 45_100 });
    expect(justOpened(probe.state, reopened)).toBe(true);
  });

  it("ignores late reports from calls admitted before the circuit opened", () => {
    const open = failTimes(initialBreakerState(), 3, 0);
    expect(onSuccess(open, 10, options)).toBe(open);
    expect(onFailure(open, 10, options)).toBe(open);
    const probe = tryAcquire(open, 20_000, options);
    expect(onSuccess(probe.state, 20_010, options)).toBe(probe.state);
  });

  it("lets the next caller probe when the probe never reports", () => {
    const probe = tryAcquire(failTimes(initialBreakerState(), 3, 0), 20_000, options);
    expect(tryAcquire(probe.state, 34_999, options).allowed).toBe(false);
    const second = tryAcquire(probe.state, 35_000, options);
    expect(second).toMatchObject({ allowed: true, probe: true, probeSeq: 2 });
    expect(onFailure(second.state, 35_001, options, probe.probeSeq)).toBe(second.state);
  });

  it("releases an abandoned probe so the next caller may probe at once", () => {
    const probe = tryAcquire(failTimes(initialBreakerState(), 3, 0), 20_000, options);
    const released = releaseProbe(probe.state, 20_005, probe.probeSeq);
    expect(tryAcquire(released, 20_006, options)).toMatchObject({ allowed: true, probe: true });
  });

  it("round-trips through a plain JSON snapshot and restores garbage as closed", () => {
    const probe = tryAcquire(failTimes(initialBreakerState(), 3, 0), 20_000, options);
    const stored = JSON.parse(JSON.stringify(snapshot(probe.state))) as unknown;
    expect(restore(stored)).toEqual(probe.state);
    expect(tryAcquire(restore(stored), 20_001, options).allowed).toBe(false);
    expect(restore({ phase: "open", openUntil: "soon" })).toEqual(initialBreakerState());
    expect(restore(null)).toEqual(initialBreakerState());
  });
});

/** A deliberately different, tiny reference model of docs/api.md#apiv2-passthrough's circuit rules. */
class ReferenceCircuit {
  streak = 0;
  reopenAt: number | null = null;
  probe: { id: number; expires: number } | null = null;
  lastId = 0;

  constructor(private readonly rules: BreakerOptions) {}

  acquire(now: number): { allowed: boolean; probe: boolean; wait: number } {
    if (this.probe && now < this.probe.expires) return { allowed: false, probe: false, wait: 0 };
    if (this.reopenAt === null && this.probe === null) return { allowed: true, probe: false, wait: 0 };
    if (this.reopenAt !== null && now < this.reopenAt) return { allowed: false, probe: false, wait: this.reopenAt - now };
    this.lastId += 1;
    this.probe = { id: this.lastId, expires: now + this.rules.probeTimeoutMs };
    this.reopenAt = null;
    return { allowed: true, probe: true, wait: 0 };
  }

  report(now: number, success: boolean, probeId: number | null): void {
    const isLiveProbe = this.probe !== null && probeId === this.probe.id;
    if (this.reopenAt === null && this.probe === null) {
      this.streak = success ? 0 : this.streak + 1;
      if (this.streak >= this.rules.threshold) {
        this.streak = 0;
        this.reopenAt = now + this.rules.openMs;
      }
    } else if (isLiveProbe) {
      this.probe = null;
      this.streak = 0;
      if (!success) this.reopenAt = now + this.rules.openMs;
    }
  }

  phase(now: number): string {
    if (this.probe) return "half-open";
    if (this.reopenAt === null) return "closed";
    return now < this.reopenAt ? "open" : "half-open";
  }
}

type Command = { kind: "advance"; ms: number } | { kind: "acquire" } | { kind: "report"; success: boolean; pick: number };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant("advance" as const), ms: fc.oneof(fc.integer({ min: 0, max: 25_000 }), fc.constantFrom(1, 999, 1000, 4000)) }),
  fc.constant({ kind: "acquire" as const }),
  fc.record({ kind: fc.constant("report" as const), success: fc.boolean(), pick: fc.nat() }),
);

describe("breaker against the reference model", () => {
  it("agrees on every decision and view, and never has two live probes, for random sequences", () => {
    fc.assert(
      fc.property(
        fc.record({
          threshold: fc.integer({ min: 1, max: 5 }),
          // Round values make the exact window and deadline boundaries reachable by the steps above.
          openMs: fc.oneof(fc.integer({ min: 1000, max: 20_000 }), fc.constantFrom(1000, 4000, 8000)),
          probeTimeoutMs: fc.oneof(fc.integer({ min: 1000, max: 20_000 }), fc.constantFrom(1000, 4000, 8000)),
        }),
        fc.array(commandArb, { maxLength: 80 }),
        (rules, commands) => {
          const model = new ReferenceCircuit(rules);
          let state = initialBreakerState();
          let now = 1_000_000;
          /** Admitted calls not yet reported: their probe numbers (null = ordinary call). */
          const outstanding: { real: number | null; model: number | null }[] = [];
          /** Probes granted and not yet reported, with the deadline each was given. */
          const unreportedProbes = new Map<number, number>();
          for (const command of commands) {
            if (command.kind === "advance") now += command.ms;
            if (command.kind === "acquire") {
              const expected = model.acquire(now);
              const actual = tryAcquire(state, now, rules);
              state = actual.state;
              expect({ allowed: actual.allowed, probe: actual.probe, wait: actual.retryAfterMs }).toEqual(expected);
              if (actual.allowed) outstanding.push({ real: actual.probeSeq, model: actual.probe ? model.lastId : null });
              if (actual.probe) {
                for (const deadline of unreportedProbes.values()) expect(deadline).toBeLessThanOrEqual(now);
                unreportedProbes.set(actual.probeSeq!, now + rules.probeTimeoutMs);
              }
            }
            if (command.kind === "report" && outstanding.length > 0) {
              const [call] = outstanding.splice(command.pick % outstanding.length, 1);
              if (call!.real !== null) unreportedProbes.delete(call!.real);
              model.report(now, command.success, call!.model);
              state = command.success ? onSuccess(state, now, rules, call!.real) : onFailure(state, now, rules, call!.real);
            }
            expect(view(state, now).state).toBe(model.phase(now));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
