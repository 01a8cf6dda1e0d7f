import type { FailureCause } from "./errors";
import { PROVIDER_CAUSES, UPSTREAM_CAUSES } from "./errors";

/** Counters of one isolate (docs/api.md#metrics). Names are part of the client contract: add, never remove. */
export const METRIC_NAMES = [
  "requests",
  "authFailures",
  "providerFailures",
  "retries",
  "timeouts",
  "rateLimited",
  "circuitOpens",
  "vpsProxyFailures",
  "vpsProxyTimeouts",
  "vpsProxyRetries",
  "vpsProxyCircuitOpens",
  "vpsProxyCircuitRejects",
  "vpsProxyNoRetryPathHits",
  "vpsProxyRetryAfterHonored",
  "vpsProxy5xxPassthrough",
  "vpsProxyRetryBudgetExhausted",
  "vpsProxyRetriesCancelledByCircuit",
  "vpsProxyUpstreamAttempts",
  "vpsProxyClientBudgetExhausted",
  "providerCircuitRejects",
  "providerAttempts",
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export const AUTH_CONFIG_COUNTERS = [
  "missingClerkConfig",
  "partialClerkConfig",
  "invalidClerkConfig",
  "invalidTokens",
  "insecureDevAuthUsed",
  "insecureDevAuthRejected",
  "jwksFetchFailures",
] as const;
export const SECRET_ROTATION_COUNTERS = [
  "fallbackDecrypts",
  "decryptFailures",
  "reencryptSuccesses",
  "reencryptFailures",
  "legacyDecrypts",
  "invalidRotationSecret",
  "invalidEncryptionSecret",
  "unknownKeyIdRecords",
] as const;
export const RUNTIME_CONFIG_COUNTERS = [
  "invalidEncryptionSecret",
  "invalidRotationSecret",
  "invalidVpsOrigin",
  "invalidConfigValues",
  "controlPlaneFallbacks",
  "rateLimitFallbacks",
  "providerBreakerFallbacks",
] as const;

export type AuthConfigCounter = (typeof AUTH_CONFIG_COUNTERS)[number];
export type SecretRotationCounter = (typeof SECRET_ROTATION_COUNTERS)[number];
export type RuntimeConfigCounter = (typeof RUNTIME_CONFIG_COUNTERS)[number];

/** `openUntil` is null while closed; the JSON shows 0 there, as the original worker does. */
export interface CircuitView {
  state: "closed" | "open" | "half-open";
  open: boolean;
  openUntil: number | null;
  remainingMs: number;
}

const zeroes = <K extends string>(names: readonly K[]): Record<K, number> =>
  Object.fromEntries(names.map((name) => [name, 0])) as Record<K, number>;

export interface MetricsState {
  metrics: Record<MetricName, number>;
  upstream: Record<(typeof UPSTREAM_CAUSES)[number], number>;
  provider: Record<(typeof PROVIDER_CAUSES)[number], number>;
  authConfig: Record<AuthConfigCounter, number>;
  secretRotation: Record<SecretRotationCounter, number>;
  runtimeConfig: Record<RuntimeConfigCounter, number>;
  kvFailures: number;
  startedAt: number;
}

export function createMetrics(now = Date.now()): MetricsState {
  return {
    metrics: zeroes(METRIC_NAMES),
    upstream: zeroes(UPSTREAM_CAUSES),
    provider: zeroes(PROVIDER_CAUSES),
    authConfig: zeroes(AUTH_CONFIG_COUNTERS),
    secretRotation: zeroes(SECRET_ROTATION_COUNTERS),
    runtimeConfig: zeroes(RUNTIME_CONFIG_COUNTERS),
    kvFailures: 0,
    startedAt: now,
  };
}

/*
 * The counters live in the isolate's state (isolate-state.ts); every counting function takes that
 * isolate's MetricsState first, so N isolates of one copy of the code never share a counter.
 */
export const count = (metrics: MetricsState, name: MetricName, by = 1): void => {
  metrics.metrics[name] += by;
};

export function countCause(metrics: MetricsState, cause: FailureCause): void {
  if (cause in metrics.upstream) metrics.upstream[cause as keyof MetricsState["upstream"]] += 1;
  else metrics.provider[cause as keyof MetricsState["provider"]] += 1;
}

export const countAuthConfig = (metrics: MetricsState, name: AuthConfigCounter): void => {
  metrics.authConfig[name] += 1;
};
/**
 * The original worker reports the two secret-check counters under `reliability.runtimeConfig`; this
 * Worker also showed them under `secretRotation`. Both places stay, fed by one count.
 */
const SECRET_CHECK_COUNTERS: ReadonlySet<string> = new Set(["invalidEncryptionSecret", "invalidRotationSecret"]);

export const countRotation = (metrics: MetricsState, name: SecretRotationCounter): void => {
  metrics.secretRotation[name] += 1;
  if (SECRET_CHECK_COUNTERS.has(name)) metrics.runtimeConfig[name as RuntimeConfigCounter] += 1;
};
export const countRuntimeConfig = (metrics: MetricsState, name: RuntimeConfigCounter): void => {
  metrics.runtimeConfig[name] += 1;
  if (SECRET_CHECK_COUNTERS.has(name)) metrics.secretRotation[name as SecretRotationCounter] += 1;
};
export const countKvFailure = (metrics: MetricsState): void => {
  metrics.kvFailures += 1;
};

export interface MetricsSnapshot {
  metrics: Record<MetricName, number>;
  failureCauses: { upstream: MetricsState["upstream"]; provider: MetricsState["provider"] };
  reliability: {
    authConfig: MetricsState["authConfig"];
    runtimeConfig: MetricsState["runtimeConfig"];
    secretRotation: MetricsState["secretRotation"];
    kvFailures: number;
  };
  vpsProxyCircuit: WireCircuitView;
  providerCircuits?: Record<string, CircuitView>;
  uptimeMs: number;
}

/** The original's `vpsProxyCircuit {open, openUntil, remainingMs}` (openUntil a number), plus `state`. */
export interface WireCircuitView {
  state: CircuitView["state"];
  open: boolean;
  openUntil: number;
  remainingMs: number;
}

const wireCircuit = (view: CircuitView): WireCircuitView => ({ state: view.state, open: view.open, openUntil: view.openUntil ?? 0, remainingMs: view.remainingMs });

export function snapshotOf(
  metrics: MetricsState,
  vpsProxyCircuit: CircuitView,
  now: number,
  providerCircuits?: Record<string, CircuitView>,
): MetricsSnapshot {
  return {
    metrics: { ...metrics.metrics },
    failureCauses: { upstream: { ...metrics.upstream }, provider: { ...metrics.provider } },
    reliability: {
      authConfig: { ...metrics.authConfig },
      runtimeConfig: { ...metrics.runtimeConfig },
      secretRotation: { ...metrics.secretRotation },
      kvFailures: metrics.kvFailures,
    },
    vpsProxyCircuit: wireCircuit(vpsProxyCircuit),
    ...(providerCircuits ? { providerCircuits } : {}),
    uptimeMs: Math.max(0, now - metrics.startedAt),
  };
}
