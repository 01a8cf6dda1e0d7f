import { restore, snapshot } from "./breaker";
import { breakerCell } from "./breaker-cell";
import { getConfig, type WorkerConfig } from "./config";
import {
  acquireProvider,
  controlPlaneMemory,
  decideRateLimit,
  providerCell,
  providerState,
  providerViews,
  rateLimitOptions,
  reportProvider,
  type AcquireReply,
  type RateLimitReply,
  type ReportReply,
} from "./control-plane-core";
import type { WorkerEnv } from "./env";
import { providerBreakerKey, RATE_LIMIT_PREFIX } from "./keys";
import { prune, restoreHits } from "./rate-limit";
import { PROVIDERS, isProviderName, type ProviderName } from "./types";

export type { AcquireReply, RateLimitReply, ReportReply, StateReply, ViewsReply } from "./control-plane-core";

/**
 * ControlPlaneDO: the provider breakers shared by every isolate and the rate-limit windows
 * (docs/api.md#ai-providers and docs/api.md#rate-limiting). A thin shell: the decisions are control-plane-core.ts, which the Worker's
 * in-memory fallback runs too; this class loads and persists their state.
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
 *   /breaker/acquire  {provider, now}                   → {allowed, probe, probeSeq, retryAfterMs, shared}
 *   /breaker/report   {provider, now, success, probeSeq} → {opened, view, shared}
 *   /breaker/state    {provider, now}                   → {shared}   (an isolate's refresh, docs/decisions/0006)
 *   /breaker/views    {now}                             → {circuits: {gemini, openrouter}}
 */

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
  private readonly memory = controlPlaneMemory();
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
      this.memory.breakers.set(provider, breakerCell(stored === undefined ? undefined : restore(stored)));
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
        case "/breaker/state":
          return reply(providerState(this.memory, readProvider(body), readNow(body)));
        case "/breaker/views":
          return reply(providerViews(this.memory, readNow(body)));
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
    // Storage is read only for a bucket this instance has not cached; a concurrent request for the
    // same bucket may fill the cache while we await, and then the cache wins inside decideRateLimit.
    const stored = this.memory.windows.has(key) ? [] : restoreHits(await this.state.storage.get(key));
    const decision = decideRateLimit(this.memory, key, now, this.config, stored);
    if (decision.admittedHits) {
      await this.state.storage.put(key, decision.admittedHits);
      await this.scheduleExpiry(now + rateLimitOptions(this.config).windowMs);
    }
    return decision.reply;
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
    const buckets = storage.list ? await storage.list({ prefix: RATE_LIMIT_PREFIX }) : new Map<string, unknown>(this.memory.windows);
    let newestLive = Number.NEGATIVE_INFINITY;
    for (const [key, stored] of buckets) {
      const live = prune(this.memory.windows.get(key) ?? restoreHits(stored), now, options);
      if (live.length > 0) {
        newestLive = Math.max(newestLive, live[live.length - 1]!);
        continue;
      }
      this.memory.windows.delete(key);
      await storage.delete?.(key);
    }
    if (newestLive > Number.NEGATIVE_INFINITY) await this.scheduleExpiry(newestLive + options.windowMs);
  }

  /** Runs one breaker decision and persists the snapshot (one `storage.put`) when it changed the state. */
  private async persisting<T>(provider: ProviderName, decide: () => T): Promise<T> {
    const cell = providerCell(this.memory, provider);
    const before = cell.state;
    const result = decide();
    if (cell.state !== before) await this.state.storage.put(providerBreakerKey(provider), snapshot(cell.state));
    return result;
  }

  private async acquire(body: Record<string, unknown>): Promise<AcquireReply> {
    const provider = readProvider(body);
    const now = readNow(body);
    return this.persisting(provider, () => acquireProvider(this.memory, provider, now, this.config));
  }

  private async report(body: Record<string, unknown>): Promise<ReportReply> {
    const provider = readProvider(body);
    const now = readNow(body);
    const success = body.success;
    if (typeof success !== "boolean") throw new BadRequest("success must be a boolean");
    const probeSeq = readProbeSeq(body);
    return this.persisting(provider, () => reportProvider(this.memory, provider, now, this.config, success, probeSeq));
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
