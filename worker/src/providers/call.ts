import type { RequestContext } from "../context";
import { acquireProviderPermit } from "../control-plane-client";
import { log } from "../log";
import { count } from "../metrics-core";
import type { Credential, ProviderName } from "../types";
import { attemptProvider, isSendable } from "./attempt";
import { geminiAdapter } from "./gemini";
import { openrouterAdapter } from "./openrouter";
import { breakerVerdict, decideRetry, outcomeToError } from "./retry-policy";
import type { AttemptOutcome, ProviderAdapter, ProviderRequest } from "./types";

const ADAPTERS: Record<ProviderName, ProviderAdapter> = { gemini: geminiAdapter, openrouter: openrouterAdapter };

export const adapterFor = (provider: ProviderName): ProviderAdapter => ADAPTERS[provider];

/**
 * Runs a provider request with the resilience of docs/api.md#ai-providers, composed as
 * breaker permit → attempt under timeout → retry decision → backoff, for every attempt:
 * each attempt takes a permit first (an open circuit stops the loop with 503 provider_circuit_open)
 * and reports its own outcome, so the breaker counts attempts, not requests. Permits and reports
 * follow docs/decisions/0006: while this isolate's view is closed neither waits on the Durable
 * Object; the report runs through waitUntil.
 * Resolves with the last attempt's outcome, successful or not. A request that cannot even be built
 * from the stored key ends as "unsendable" before any permit or network call: it is this key's
 * problem, not the provider's, and retrying it cannot help.
 */
export async function runProviderRequest(ctx: RequestContext, credential: Credential, request: ProviderRequest): Promise<AttemptOutcome> {
  const adapter = adapterFor(credential.provider);
  const wire = adapter.buildRequest(ctx.config.providers, credential.apiKey, request);
  if (!isSendable(wire)) return { kind: "unsendable" };
  for (let retriesDone = 0; ; retriesDone += 1) {
    const permit = await acquireProviderPermit(ctx, adapter.name);
    count(ctx.isolate.metrics, "providerAttempts");
    let outcome: AttemptOutcome;
    try {
      outcome = await attemptProvider(ctx, adapter, wire);
    } catch (error) {
      // A bug on our side says nothing about the provider.
      ctx.waitUntil(reportQuietly(ctx, permit.report("neutral")));
      throw error;
    }
    ctx.waitUntil(reportQuietly(ctx, permit.report(breakerVerdict(outcome))));
    if (outcome.kind === "ok") return outcome;
    log("warn", "provider_attempt_failed", {
      requestId: ctx.requestId,
      provider: adapter.name,
      attempt: retriesDone + 1,
      outcome: outcome.kind,
      status: "status" in outcome ? outcome.status : undefined,
    });
    const decision = decideRetry(outcome, retriesDone, ctx.config.providers.retries, ctx.deps.rng);
    if (!decision.retry) return outcome;
    count(ctx.isolate.metrics, "retries");
    await ctx.deps.sleep(decision.delayMs);
  }
}

/** Calls the user's provider and resolves with the answer text; throws the mapped ApiError otherwise. */
export async function callProvider(ctx: RequestContext, credential: Credential, request: ProviderRequest): Promise<string> {
  const outcome = await runProviderRequest(ctx, credential, request);
  if (outcome.kind === "ok") return outcome.text;
  throw outcomeToError(outcome, credential.provider);
}

/** A breaker bookkeeping failure must not fail the user's request (the breaker owner counts it). */
async function reportQuietly(ctx: RequestContext, report: Promise<void>): Promise<void> {
  try {
    await report;
  } catch {
    log("warn", "provider_permit_report_failed", { requestId: ctx.requestId });
  }
}
