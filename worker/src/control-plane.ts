import { initialBreakerState, justOpened, onFailure, onSuccess, restore, snapshot, tryAcquire, view, type BreakerOptions, type BreakerState } from "./breaker";
import { getConfig, type WorkerConfig } from "./config";
import type { WorkerEnv } from "./env";
import { providerBreakerKey, RATE_LIMIT_PREFIX } from "./keys";
import type { CircuitView } from "./metrics";
import { prune, restoreHits, take, type RateLimitOptions } from "./rate-limit";
import { PROVIDERS, isProviderName, type ProviderName } from "./types";

/**
 * ControlPlaneDO: the provider breakers shared by every isolate and the rate-limit windows
 * (SPEC §3.6, §3.7). A thin shell: the decisions are breaker.ts and rate-limit.ts.
 *
 * Deliberately a plain class with `fetch` and no `cloudflare:workers` import, so the Worker's
 * module graph loads in plain Node; workerd only needs `constructor(state, env)` + `fetch`.
 *
 * Time: the caller sends `now` (its ctx.deps.now()) and the DO trusts it. That keeps every decision
 * clock-injectable in tests and the lab; isolates' clocks agree to within milliseconds on Cloudflare,
 * and rate-limit.ts makes time monotonic per bucket so a lagging caller cannot slip in early.
 *
 * JSON protocol (POST, small bodies):
 *   /rate-limit       {key, now}                        → {allowed, retryAfterMs, remaining}
 *   /breaker/acquire  {provider, now}                   → {allowed, probe, probeSeq, retryAfterMs}
 *   /breaker/report   {provider, now, success, probeSeq} → {opened, view}
 *   /breaker/views    {now}                             → {circuits: {gemini, openrouter}}
 */

export interface RateLimitReply {
  allowed: boolean;
  retryAfterMs: number;
  remaining: number;
}
export interface AcquireReply {
  allowed: boolean;
  probe: boolean;
  probeSeq: number | null;
  retryAfterMs: number;
}
export interface ReportReply {
  opened: boolean;
  view: CircuitView;
}
export interface ViewsReply {
  circuits: Record<ProviderName, CircuitView>;
}

/** The slice of DurableObjectState this class uses (structural, so plain-Node fakes fit). */
export interface ControlPlaneState {
  storage: {
    get(key: string): Promise<unknown>;
    put(key: string, value: unknown): Promise<void>;
    delete?(key: string): Promise<unknown>;
    list?(options: { prefix: string }): Promise<Map<string, unknown>>;
    setAlarm?(scheduledTime: number): Promise<void>;
    deleteAll?(): Promise<void>;
  };
  blockConcurrencyWhile?<T>(callback: () => Promise<T>): Promise<T>;
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

/** Bounds the in-memory cache when many buckets share one object (e.g. tests with one global stub). */
const MAX_CACHED_WINDOWS = 10_000;
const MAX_KEY_LENGTH = 512;

class BadRequest extends Error {}

const reply = (body: unknown, status = 200): Response =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", "Cache-Control": "no-store" } });

function readNow(body: Record<string, unknown>): number {
  if (typeof body.now !== "number" || !Number.isFinite(body.now) || body.now < 0) throw new BadRequest("now must be a timestamp in ms");
  return body.now;
}

function readProvider(body: Record<string, unknown>): ProviderName {
  if (!isProviderName(body.provider)) throw new BadRequest(`provider must be one of ${PROVIDERS.join(", ")}`);
  return body.provider;
}

function readProbeSeq(body: Record<string, unknown>): number | null {
  return typeof body.probeSeq === "number" && Number.isInteger(body.probeSeq) ? body.probeSeq : null;
}

export class ControlPlaneDO {
  private readonly breakers = new Map<ProviderName, BreakerState>();
  private readonly windows = new Map<string, number[]>();
  private readonly ready: Promise<void>;
  private readonly state: ControlPlaneState;
  private readonly env: WorkerEnv;
  private readonly clock: () => number;
  /** The expiry alarm this instance has scheduled (null: none known, e.g. after eviction). */
  private alarmAt: number | null = null;

  /** `clock` is for the expiry alarm only (tests pass a manual one); workerd passes two arguments. */
  constructor(state: ControlPlaneState, env: WorkerEnv, clock: () => number = () => Date.now()) {
    this.state = state;
    this.env = env;
    this.clock = clock;
    const load = () => this.loadBreakers();
    this.ready = state.blockConcurrencyWhile ? state.blockConcurrencyWhile(load) : load();
  }

  private async loadBreakers(): Promise<void> {
    for (const provider of PROVIDERS) {
      const stored = await this.state.storage.get(providerBreakerKey(provider));
      this.breakers.set(provider, stored === undefined ? initialBreakerState() : restore(stored));
    }
  }

  private get config(): WorkerConfig {
    return getConfig(this.env ?? {});
  }

  async fetch(request: Request): Promise<Response> {
    try {
      await this.ready;
      if (request.method !== "POST") return reply({ error: "POST only" }, 405);
      const body = await readBody(request);
      switch (new URL(request.url).pathname) {
        case "/rate-limit":
          return reply(await this.rateLimit(body));
        case "/breaker/acquire":
          return reply(await this.acquire(body));
        case "/breaker/report":
          return reply(await this.report(body));
        case "/breaker/views":
          return reply(this.views(readNow(body)));
        default:
          return reply({ error: "unknown control-plane route" }, 404);
      }
    } catch (error) {
      if (error instanceof BadRequest) return reply({ error: error.message }, 400);
      return reply({ error: "control plane failed" }, 500);
    }
  }

  private async rateLimit(body: Record<string, unknown>): Promise<RateLimitReply> {
    const now = readNow(body);
    const key = body.key;
    if (typeof key !== "string" || key === "" || key.length > MAX_KEY_LENGTH) throw new BadRequest("key must be a rate-limit bucket key");
    let hits = this.windows.get(key);
    if (!hits) {
      const stored = restoreHits(await this.state.storage.get(key));
      // A concurrent request for the same bucket may have filled the cache while we awaited.
      hits = this.windows.get(key) ?? stored;
    }
    const decision = take(hits, now, rateLimitOptions(this.config));
    this.remember(key, decision.hits);
    if (decision.allowed) {
      await this.state.storage.put(key, decision.hits);
      await this.scheduleExpiry(now + rateLimitOptions(this.config).windowMs);
    }
    return { allowed: decision.allowed, retryAfterMs: decision.retryAfterMs, remaining: decision.remaining };
  }

  /**
   * Buckets expire: one alarm per object, set once the first request is stored. When it fires,
   * buckets whose requests all left the window are deleted (and the object's storage with them),
   * so a client minting identities leaves nothing behind once its window is over.
   */
  private async scheduleExpiry(at: number): Promise<void> {
    if (this.alarmAt !== null || !this.state.storage.setAlarm) return;
    this.alarmAt = at;
    await this.state.storage.setAlarm(at);
  }

  async alarm(): Promise<void> {
    await this.ready;
    this.alarmAt = null;
    const { storage } = this.state;
    const now = this.clock();
    const options = rateLimitOptions(this.config);
    const buckets = storage.list ? await storage.list({ prefix: RATE_LIMIT_PREFIX }) : new Map<string, unknown>(this.windows);
    let newestLive = Number.NEGATIVE_INFINITY;
    for (const [key, stored] of buckets) {
      const live = prune(this.windows.get(key) ?? restoreHits(stored), now, options);
      if (live.length > 0) {
        newestLive = Math.max(newestLive, live[live.length - 1]!);
        continue;
      }
      this.windows.delete(key);
      await storage.delete?.(key);
    }
    if (newestLive > Number.NEGATIVE_INFINITY) await this.scheduleExpiry(newestLive + options.windowMs);
  }

  private remember(key: string, hits: number[]): void {
    this.windows.delete(key);
    this.windows.set(key, hits);
    if (this.windows.size > MAX_CACHED_WINDOWS) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
  }

  /** Applies a transition and persists the snapshot (one `storage.put`) when it changed. */
  private async commit(provider: ProviderName, next: BreakerState): Promise<void> {
    if (this.breakers.get(provider) === next) return;
    this.breakers.set(provider, next);
    await this.state.storage.put(providerBreakerKey(provider), snapshot(next));
  }

  private breaker(provider: ProviderName): BreakerState {
    return this.breakers.get(provider) ?? initialBreakerState();
  }

  private async acquire(body: Record<string, unknown>): Promise<AcquireReply> {
    const provider = readProvider(body);
    const result = tryAcquire(this.breaker(provider), readNow(body), providerBreakerOptions(this.config));
    await this.commit(provider, result.state);
    return { allowed: result.allowed, probe: result.probe, probeSeq: result.probeSeq, retryAfterMs: result.retryAfterMs };
  }

  private async report(body: Record<string, unknown>): Promise<ReportReply> {
    const provider = readProvider(body);
    const now = readNow(body);
    if (typeof body.success !== "boolean") throw new BadRequest("success must be a boolean");
    const before = this.breaker(provider);
    const options = providerBreakerOptions(this.config);
    const probeSeq = readProbeSeq(body);
    const after = body.success ? onSuccess(before, now, options, probeSeq) : onFailure(before, now, options, probeSeq);
    await this.commit(provider, after);
    return { opened: justOpened(before, after), view: view(after, now) };
  }

  private views(now: number): ViewsReply {
    const circuits = {} as Record<ProviderName, CircuitView>;
    for (const provider of PROVIDERS) circuits[provider] = view(this.breaker(provider), now);
    return { circuits };
  }
}

async function readBody(request: Request): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await request.text());
  } catch {
    throw new BadRequest("body must be JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new BadRequest("body must be a JSON object");
  return parsed as Record<string, unknown>;
}
