import type { CircuitView, MetricsSnapshot } from "./metrics-core";

/**
 * Prometheus text exposition (format 0.0.4) of the JSON metrics snapshot, written to pass
 * `promtool check metrics`: base units (`_seconds`, `_total`), HELP on every family, and labels
 * where the JSON nests variants (`failureCauses.upstream.timeout` →
 * `pocketbrain_failures_total{scope="upstream",cause="timeout"}`). Families are derived from the
 * snapshot's keys, so a counter added to the JSON appears here without an edit (with a generic
 * HELP until it gets a line in COUNTER_HELP). Every counter is per isolate: it restarts at 0 when
 * the isolate does, which `rate()` handles as a counter reset.
 */

type Labels = Readonly<Record<string, string>>;

interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge";
  samples: { labels: Labels; value: number }[];
}

const PREFIX = "pocketbrain_";

/** What each JSON `metrics.<name>` counter counts (docs/api.md, metrics). */
const COUNTER_HELP: Readonly<Record<string, string>> = {
  requests: "Requests the Worker handled.",
  authFailures: "Error answers with status 401 or 403 (missing, expired or unreadable session; refused key).",
  providerFailures: "Error answers with status 500 or above, from any source (provider, /api/v2 backend, configuration), as the original worker counts them.",
  retries: "Retries of AI provider calls.",
  timeouts: "AI provider attempts that timed out (each attempt counts, retries included).",
  rateLimited: "Requests refused with 429 RATE_LIMITED.",
  circuitOpens: "Times a provider circuit opened (the /api/v2 circuit counts in vpsProxyCircuitOpens).",
  vpsProxyFailures: "/api/v2 requests that failed (unconfigured origin, timeout, network error, 5xx, open circuit).",
  vpsProxyTimeouts: "/api/v2 backend attempts that timed out before response headers.",
  vpsProxyRetries: "Retries of /api/v2 backend calls.",
  vpsProxyCircuitOpens: "Times the /api/v2 backend circuit opened.",
  vpsProxyCircuitRejects: "/api/v2 requests answered 503 circuit_open without calling the backend.",
  vpsProxyNoRetryPathHits: "/api/v2 requests on a no-retry path (never retried).",
  vpsProxyRetryAfterHonored: "/api/v2 failures whose backend Retry-After was passed on to the client.",
  vpsProxy5xxPassthrough: "/api/v2 backend 5xx answers passed through to the client.",
  vpsProxyRetryBudgetExhausted: "/api/v2 retries skipped because the isolate's retry budget was spent.",
  vpsProxyClientBudgetExhausted: "/api/v2 requests that failed only because the client's own x-timeout-ms budget ran out (never reported to the circuit).",
  vpsProxyRetriesCancelledByCircuit: "/api/v2 retries cancelled because the circuit opened during the backoff.",
  vpsProxyUpstreamAttempts: "/api/v2 calls sent to the backend, first attempts and retries.",
  providerCircuitRejects: "AI requests refused without calling the provider because its circuit was open.",
  providerAttempts: "Calls sent to AI providers, first attempts and retries.",
};

const RELIABILITY_HELP: Readonly<Record<string, string>> = {
  authConfig: "Auth configuration events (Clerk config missing or invalid, invalid tokens, insecure dev auth, JWKS fetch failures) by event.",
  runtimeConfig: "Runtime configuration events (invalid values, control-plane and rate-limit fallbacks) by event.",
  secretRotation: "Key-encryption secret events (fallback decrypts, re-encryptions, invalid secrets) by event.",
  kvFailures: "KV operations that failed.",
};

const CIRCUIT_STATES: readonly CircuitView["state"][] = ["closed", "half-open", "open"];

/** `vpsProxy5xxPassthrough` → `vps_proxy_5xx_passthrough`. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z0-9]+/g, (part) => `_${part.toLowerCase()}`).replace(/^_/, "");
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function renderLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
}

function renderFamily(family: Family): string[] {
  const lines = [`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`];
  for (const sample of family.samples) lines.push(`${family.name}${renderLabels(sample.labels)} ${sample.value}`);
  return lines;
}

function counterFamilies(counters: Readonly<Record<string, number>>): Family[] {
  return Object.entries(counters).map(([name, value]) => ({
    name: `${PREFIX}${snakeCase(name)}_total`,
    help: COUNTER_HELP[name] ?? `Count of ${name} events (JSON metrics.${name}).`,
    type: "counter",
    samples: [{ labels: {}, value }],
  }));
}

function failureFamily(causes: MetricsSnapshot["failureCauses"]): Family {
  return {
    name: `${PREFIX}failures_total`,
    help: "Failed requests by error.cause; scope is upstream (/api/v2 backend) or provider (AI providers).",
    type: "counter",
    samples: Object.entries(causes).flatMap(([scope, byCause]: [string, Readonly<Record<string, number>>]) =>
      Object.entries(byCause).map(([cause, value]) => ({ labels: { scope, cause }, value })),
    ),
  };
}

function reliabilityFamilies(reliability: MetricsSnapshot["reliability"]): Family[] {
  return Object.entries(reliability).map(([group, entry]: [string, number | Readonly<Record<string, number>>]) => {
    const help = RELIABILITY_HELP[group] ?? `Reliability counter ${group} (JSON reliability.${group}).`;
    if (typeof entry === "number") return { name: `${PREFIX}${snakeCase(group)}_total`, help, type: "counter", samples: [{ labels: {}, value: entry }] };
    return {
      name: `${PREFIX}${snakeCase(group)}_events_total`,
      help,
      type: "counter",
      samples: Object.entries(entry).map(([event, value]) => ({ labels: { event: snakeCase(event) }, value })),
    };
  });
}

function circuitFamilies(snapshot: MetricsSnapshot): Family[] {
  const circuits: [string, CircuitView][] = [["vps", snapshot.vpsProxyCircuit], ...Object.entries(snapshot.providerCircuits ?? {})];
  return [
    {
      name: `${PREFIX}circuit_state`,
      help: "Circuit state, one series per state: 1 for the current state, 0 for the others. circuit is vps (the /api/v2 backend) or a provider name.",
      type: "gauge",
      samples: circuits.flatMap(([circuit, view]) => CIRCUIT_STATES.map((state) => ({ labels: { circuit, state }, value: view.state === state ? 1 : 0 }))),
    },
    {
      name: `${PREFIX}circuit_open_remaining_seconds`,
      help: "Seconds until an open circuit lets one probe through (its Retry-After); 0 when not open.",
      type: "gauge",
      samples: circuits.map(([circuit, view]) => ({ labels: { circuit }, value: view.remainingMs / 1000 })),
    },
  ];
}

/** The exposition body for `GET /api/v1/metrics?format=prometheus`: the same numbers as the JSON. */
export function toPrometheus(snapshot: MetricsSnapshot): string {
  const families: Family[] = [
    ...counterFamilies(snapshot.metrics),
    failureFamily(snapshot.failureCauses),
    ...reliabilityFamilies(snapshot.reliability),
    ...circuitFamilies(snapshot),
    {
      name: `${PREFIX}isolate_uptime_seconds`,
      help: "Seconds since this isolate's counters started (they restart at 0 with the isolate).",
      type: "gauge",
      samples: [{ labels: {}, value: snapshot.uptimeMs / 1000 }],
    },
  ];
  return `${families.flatMap(renderFamily).join("\n")}\n`;
}
