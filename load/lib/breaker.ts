/**
 * Breaker-under-load scenario: the fake backend fails every request on the path (lab control API),
 * clients keep their rate, and we count what reached the backend and how the Worker answered.
 */
import { runArrivals } from "./arrivals";
import { errorCause, retryAfterSeconds, timedRequest, type Timed } from "./http";
import type { BreakerProfile } from "./profiles";
import { summarize } from "./stats";
import type { BreakerMeasurement } from "./thresholds";

async function labJson(url: string, init: RequestInit = {}): Promise<unknown> {
  const response = await timedRequest(url, init, 3000);
  if (response.status < 200 || response.status >= 300) {
    throw new Error(`Failed to use the lab control API at ${url}: ${response.status || response.error}. Is --backend-url a fault-lab fake backend?`);
  }
  return response.body ? JSON.parse(response.body) : null;
}

async function upstreamCount(backendUrl: string, path: string): Promise<number> {
  const stats = (await labJson(`${backendUrl}/__lab/stats`)) as { requests?: Record<string, number> };
  return stats.requests?.[path] ?? 0;
}

/** Requests let through while the circuit was open (probes) that came sooner than 0.9 window after the previous one. */
export function probesTooClose(responses: readonly { startedAt: number; cause: string | undefined }[], openMs: number): number {
  const sorted = [...responses].sort((a, b) => a.startedAt - b.startedAt);
  const firstOpen = sorted.findIndex((r) => r.cause === "circuit_open");
  if (firstOpen === -1) return 0;
  const probes = sorted.slice(firstOpen).filter((r) => r.cause !== "circuit_open");
  let tooClose = 0;
  for (let i = 1; i < probes.length; i += 1) {
    if ((probes[i] as { startedAt: number }).startedAt - (probes[i - 1] as { startedAt: number }).startedAt < 0.9 * openMs) tooClose += 1;
  }
  return tooClose;
}

export async function runBreaker(baseUrl: string, backendUrl: string, profile: BreakerProfile, log: (line: string) => void): Promise<BreakerMeasurement> {
  log(`breaker: backend fails 100 % on ${profile.path}; ${profile.ratePerSec} req/s for ${profile.durationSec} s`);
  const before = await upstreamCount(backendUrl, profile.path);
  await labJson(`${backendUrl}/__lab/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ route: profile.path, faults: [{ kind: "status", status: 503 }] }),
  });
  const answers: (Timed & { cause: string | undefined })[] = [];
  let clientRequests = 0;
  try {
    await runArrivals({ ratePerSec: profile.ratePerSec, durationMs: profile.durationSec * 1000, maxInFlight: 200 }, async () => {
      clientRequests += 1;
      const response = await timedRequest(baseUrl + profile.path);
      answers.push({ ...response, cause: errorCause(response.body) });
    });
  } finally {
    await labJson(`${backendUrl}/__lab/faults`, { method: "DELETE" });
  }
  const upstreamCalls = (await upstreamCount(backendUrl, profile.path)) - before;
  const open = answers.filter((a) => a.status === 503 && a.cause === "circuit_open");
  const openLatency = summarize(open.map((a) => a.ms));
  return {
    clientRequests,
    upstreamCalls,
    openAnswers: open.length,
    openAnswersWithRetryAfter: open.filter((a) => retryAfterSeconds(a.retryAfter) !== null).length,
    openAnswerP50Ms: open.length ? openLatency.p50 : null,
    openAnswerP99Ms: open.length ? openLatency.p99 : null,
    probesTooClose: probesTooClose(answers, profile.openMs),
  };
}
