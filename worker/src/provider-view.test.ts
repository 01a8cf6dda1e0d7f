import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SharedBreakerState } from "./control-plane-core";
import { decideLocally, forget, learn, learnedView, noteOwnFailure, successNeedsReport, viewOf, type ProviderViews } from "./provider-view";

const T0 = 1_000_000;

describe("decideLocally", () => {
  it("closed: direct, with a refresh once it is due; asks once its own failures reach the threshold", () => {
    const view = learnedView({ phase: "closed", openUntil: null, failures: 0 }, T0, 5_000);
    expect(decideLocally(view, T0 + 4_999, 5)).toEqual({ kind: "direct", refresh: false });
    expect(decideLocally(view, T0 + 5_000, 5)).toEqual({ kind: "direct", refresh: true });
    // Two intervals old (an idle isolate): ask, never call on a view that may predate an opening.
    expect(decideLocally(view, T0 + 9_999, 5, 5_000)).toEqual({ kind: "direct", refresh: true });
    expect(decideLocally(view, T0 + 10_000, 5, 5_000)).toEqual({ kind: "ask" });
    expect(decideLocally({ ...view, failures: 5 } as typeof view, T0, 5)).toEqual({ kind: "ask" });
  });

  it("open: refuses locally until the window ends, then asks; unknown and half-open ask", () => {
    const open = learnedView({ phase: "open", openUntil: T0 + 30_000, failures: 0 }, T0, 5_000);
    expect(decideLocally(open, T0 + 10_000, 5)).toEqual({ kind: "refuse", retryAfterMs: 20_000 });
    expect(decideLocally(open, T0 + 30_000, 5)).toEqual({ kind: "ask" });
    expect(decideLocally(learnedView({ phase: "half-open", openUntil: null, failures: 0 }, T0, 5_000), T0, 5)).toEqual({ kind: "ask" });
    expect(decideLocally(viewOf(new Map(), "gemini"), T0, 5)).toEqual({ kind: "ask" });
  });
});

describe("success reports", () => {
  it("are needed only while a streak is known to run (learned, or this isolate's own failure)", () => {
    const views: ProviderViews = new Map();
    learn(views, "gemini", learnedView({ phase: "closed", openUntil: null, failures: 0 }, T0, 5_000));
    expect(successNeedsReport(viewOf(views, "gemini"))).toBe(false);
    noteOwnFailure(views, "gemini");
    expect(successNeedsReport(viewOf(views, "gemini"))).toBe(true);
    learn(views, "gemini", learnedView({ phase: "closed", openUntil: null, failures: 2 }, T0 + 1, 5_000));
    expect(successNeedsReport(viewOf(views, "gemini"))).toBe(true);
  });
});

const shared: fc.Arbitrary<SharedBreakerState> = fc.oneof(
  fc.record({ phase: fc.constant("closed" as const), openUntil: fc.constant(null), failures: fc.nat({ max: 10 }) }),
  fc.record({ phase: fc.constant("open" as const), openUntil: fc.integer({ min: T0, max: T0 + 60_000 }), failures: fc.constant(0) }),
  fc.record({ phase: fc.constant("half-open" as const), openUntil: fc.constant(null), failures: fc.constant(0) }),
);

describe("learn (property)", () => {
  it("whatever order replies arrive in, the view is the one learned from the newest exchange", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ shared, sentAt: fc.integer({ min: T0, max: T0 + 100_000 }), lost: fc.boolean() }), { minLength: 1, maxLength: 20 }), (replies) => {
        const views: ProviderViews = new Map();
        for (const reply of replies) {
          if (reply.lost) forget(views, "gemini", reply.sentAt);
          else learn(views, "gemini", learnedView(reply.shared, reply.sentAt, 5_000));
        }
        const newest = Math.max(...replies.map((reply) => reply.sentAt));
        expect(viewOf(views, "gemini").asOf).toBe(newest);
        const last = replies.filter((reply) => reply.sentAt === newest).at(-1)!;
        expect(viewOf(views, "gemini").phase).toBe(last.lost ? "unknown" : last.shared.phase);
      }),
    );
  });
});
