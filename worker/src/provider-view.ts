import type { SharedBreakerState } from "./control-plane-core";
import type { ProviderName } from "./types";

/**
 * One isolate's view of a shared provider breaker (docs/decisions/0006-fleet-breaker-protocol.md).
 * Pure: the client (control-plane-client.ts) keeps one view per provider in `IsolateState` and moves
 * it with these functions.
 *
 * - unknown: never learned, or the object failed last time: ask the object before calling.
 * - closed: call the provider directly; re-read the shared state in the background once
 *   `refreshDueAt` passes. `failures` is the streak as last learned plus this isolate's own failures
 *   since; while it is above 0 this isolate reports its successes (they end the streak).
 * - open: refuse locally until `openUntil`, then ask.
 * - half-open: ask the object before every call (it grants the single probe of the fleet).
 *
 * `asOf` is the `now` of the exchange the view was learned from: a reply to an older exchange
 * (a fire-and-forget report overtaken by a later acquire) never overwrites a newer view.
 */
export type ProviderView =
  | { phase: "unknown"; asOf: number }
  | { phase: "closed"; asOf: number; failures: number; refreshDueAt: number }
  | { phase: "open"; asOf: number; openUntil: number }
  | { phase: "half-open"; asOf: number };

export type ProviderViews = Map<ProviderName, ProviderView>;

export type LocalDecision = { kind: "direct"; refresh: boolean } | { kind: "refuse"; retryAfterMs: number } | { kind: "ask" };

export const unknownView = (asOf = Number.NEGATIVE_INFINITY): ProviderView => ({ phase: "unknown", asOf });

export function viewOf(views: ProviderViews, provider: ProviderName): ProviderView {
  return views.get(provider) ?? unknownView();
}

/**
 * What this isolate does with its next call. A closed view whose own count of failures reached the
 * threshold asks too: this isolate has seen the fleet's trip rule met and must not wait for a reply.
 */
export function decideLocally(view: ProviderView, now: number, threshold: number, refreshMs = Number.POSITIVE_INFINITY): LocalDecision {
  switch (view.phase) {
    case "closed":
      if (view.failures >= Math.max(1, threshold)) return { kind: "ask" };
      // A view a whole interval past its refresh (an idle isolate) is not trusted: it may predate an
      // opening, and a direct call in half-open would be a second probe of the fleet.
      if (now >= view.refreshDueAt + refreshMs) return { kind: "ask" };
      return { kind: "direct", refresh: now >= view.refreshDueAt };
    case "open":
      return now < view.openUntil ? { kind: "refuse", retryAfterMs: view.openUntil - now } : { kind: "ask" };
    case "unknown":
    case "half-open":
      return { kind: "ask" };
  }
}

/** The view learned from the object's answer to an exchange sent at `sentAt`. */
export function learnedView(shared: SharedBreakerState, sentAt: number, refreshMs: number): ProviderView {
  switch (shared.phase) {
    case "closed":
      return { phase: "closed", asOf: sentAt, failures: shared.failures, refreshDueAt: sentAt + refreshMs };
    case "open":
      return { phase: "open", asOf: sentAt, openUntil: shared.openUntil ?? sentAt };
    case "half-open":
      return { phase: "half-open", asOf: sentAt };
  }
}

/** Stores a learned view unless a newer exchange already taught this isolate something. */
export function learn(views: ProviderViews, provider: ProviderName, learned: ProviderView): void {
  if (learned.asOf >= viewOf(views, provider).asOf) views.set(provider, learned);
}

/** The object could not be reached: forget, so the next call asks (and falls back, counted). */
export function forget(views: ProviderViews, provider: ProviderName, now: number): void {
  learn(views, provider, unknownView(now));
}

/** Marks a due refresh as started, so concurrent calls do not each start one. */
export function refreshStarted(views: ProviderViews, provider: ProviderName, now: number, refreshMs: number): void {
  const view = viewOf(views, provider);
  if (view.phase === "closed") views.set(provider, { ...view, refreshDueAt: now + refreshMs });
}

/** A counted failure on this isolate lengthens its own view of the streak before the reply arrives. */
export function noteOwnFailure(views: ProviderViews, provider: ProviderName): void {
  const view = viewOf(views, provider);
  if (view.phase === "closed") views.set(provider, { ...view, failures: view.failures + 1 });
}

/**
 * Whether a success must be reported: only while a streak is known to run. A success the object
 * does not hear of would otherwise leave the streak standing (docs/decisions/0006, "successes").
 */
export function successNeedsReport(view: ProviderView): boolean {
  return view.phase !== "closed" || view.failures > 0;
}
