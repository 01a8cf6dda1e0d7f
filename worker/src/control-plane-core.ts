import { view, type BreakerOptions, type BreakerState, type CircuitPhaseView } from "./breaker";
import { acquireCell, breakerCell, recordCell, type BreakerCell } from "./breaker-cell";
import type { WorkerConfig } from "./config";
import type { CircuitView } from "./metrics-core";
import { take, type RateLimitOptions } from "./rate-limit";
import { PROVIDERS, type ProviderName } from "./types";

/**
 * The control plane's decisions on plain memory: the provider breakers and the rate-limit windows.
 * The Durable Object runs them on its state (and persists what changed); when the object cannot be
 * reached, control-plane-client.ts runs the very same functions on this isolate's memory.
 */

export interface RateLimitReply {
  allowed: boolean;
  retryAfterMs: number;
  remaining: number;
}
/**
 * What an isolate learns of a shared provider breaker (docs/decisions/0006): its phase, when an open
 * window ends, and the running failure streak (an isolate reports its successes while one runs).
 */
export interface SharedBreakerState {
  phase: CircuitPhaseView;
  openUntil: number | null;
  failures: number;
}
export interface AcquireReply {
  allowed: boolean;
  probe: boolean;
  probeSeq: number | null;
  retryAfterMs: number;
  shared: SharedBreakerState;
}
export interface ReportReply {
  opened: boolean;
  view: CircuitView;
  shared: SharedBreakerState;
}
export interface StateReply {
  shared: SharedBreakerState;
}
export interface ViewsReply {
  circuits: Record<ProviderName, CircuitView>;
}

/** Bounds the window cache when many buckets share one memory (the fallback, a DO with one global stub in tests). */
const MAX_CACHED_WINDOWS = 10_000;

export interface ControlPlaneMemory {
  readonly breakers: Map<ProviderName, BreakerCell>;
  /** Rate-limit hits per bucket key, least recently used first. */
  readonly windows: Map<string, number[]>;
}

export const controlPlaneMemory = (): ControlPlaneMemory => ({ breakers: new Map(), windows: new Map() });

export function clearMemory(memory: ControlPlaneMemory): void {
  memory.breakers.clear();
  memory.windows.clear();
}

/** One attempt is the unit a provider probe covers; the slack absorbs the DO round trips. */
export function providerBreakerOptions(config: WorkerConfig): BreakerOptions {
  return {
    threshold: config.providers.circuitFailureThreshold,
    openMs: config.providers.circuitOpenMs,
    probeTimeoutMs: config.providers.timeoutMs * 2 + 1000,
  };
}

export const rateLimitOptions = (config: WorkerConfig): RateLimitOptions => ({ max: config.rateLimit.max, windowMs: config.rateLimit.windowMs });

export function providerCell(memory: ControlPlaneMemory, provider: ProviderName): BreakerCell {
  let cell = memory.breakers.get(provider);
  if (!cell) {
    cell = breakerCell();
    memory.breakers.set(provider, cell);
  }
  return cell;
}

/** Caches a bucket's hits as most recently used, evicting the least recently used past the bound. */
export function rememberWindow(memory: ControlPlaneMemory, key: string, hits: number[]): void {
  memory.windows.delete(key);
  memory.windows.set(key, hits);
  if (memory.windows.size > MAX_CACHED_WINDOWS) {
    const oldest = memory.windows.keys().next().value;
    if (oldest !== undefined) memory.windows.delete(oldest);
  }
}

/**
 * Admits or refuses one request of bucket `key`. `stored` is used when the bucket is not cached
 * (the DO passes what its storage holds). Returns the hits to persist when the request was admitted.
 */
export function decideRateLimit(memory: ControlPlaneMemory, key: string, now: number, config: WorkerConfig, stored: number[] = []): { reply: RateLimitReply; admittedHits: number[] | null } {
  const decision = take(memory.windows.get(key) ?? stored, now, rateLimitOptions(config));
  rememberWindow(memory, key, decision.hits);
  const reply = { allowed: decision.allowed, retryAfterMs: decision.retryAfterMs, remaining: decision.remaining };
  return { reply, admittedHits: decision.allowed ? decision.hits : null };
}

export function sharedStateOf(state: BreakerState, now: number): SharedBreakerState {
  const shown = view(state, now);
  return { phase: shown.state, openUntil: shown.openUntil, failures: state.phase === "closed" ? state.failures : 0 };
}

export function acquireProvider(memory: ControlPlaneMemory, provider: ProviderName, now: number, config: WorkerConfig): AcquireReply {
  const cell = providerCell(memory, provider);
  const result = acquireCell(cell, now, providerBreakerOptions(config));
  return { allowed: result.allowed, probe: result.probe, probeSeq: result.probeSeq, retryAfterMs: result.retryAfterMs, shared: sharedStateOf(cell.state, now) };
}

/** A read for an isolate's periodic refresh: decides nothing, changes nothing. */
export function providerState(memory: ControlPlaneMemory, provider: ProviderName, now: number): StateReply {
  return { shared: sharedStateOf(providerCell(memory, provider).state, now) };
}

export function reportProvider(memory: ControlPlaneMemory, provider: ProviderName, now: number, config: WorkerConfig, success: boolean, probeSeq: number | null): ReportReply {
  const cell = providerCell(memory, provider);
  const opened = recordCell(cell, now, providerBreakerOptions(config), success, probeSeq);
  return { opened, view: view(cell.state, now), shared: sharedStateOf(cell.state, now) };
}

export function providerViews(memory: ControlPlaneMemory, now: number): ViewsReply {
  const circuits = {} as Record<ProviderName, CircuitView>;
  for (const provider of PROVIDERS) circuits[provider] = view(providerCell(memory, provider).state, now);
  return { circuits };
}
