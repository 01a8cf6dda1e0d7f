import { firstOnly } from "./types";
import { epochOf, SLACK_MS } from "./trace-queries";

/**
 * At most one backend request in flight per half-open window of the /api/v2 circuit (docs/api.md:
 * exactly one probe). A probe its own client gave up on (X-Timeout-Ms ran out: no verdict) frees the
 * slot once its attempt has ended, so a later request may probe; an attempt without an end time
 * frees it only at the lost-probe deadline (2 × timeout + 1 s). The Worker decides the probe in
 * worker/src/breaker.ts.
 */
export const halfOpenSingleProbe = firstOnly("single-probe", "at most one backend request in flight per half-open window of the /api/v2 circuit", (trace) => {
  let probe: { t: number; settledAt: number | null } | null = null;
  let epoch = -1;
  for (const sample of trace.circuitLog) {
    if (sample.epoch !== epoch || sample.state !== "half-open") {
      epoch = sample.epoch;
      probe = null;
      if (sample.state !== "half-open") continue;
    }
    if (sample.kind !== "attempt") continue;
    const lostProbeMs = epochOf(trace, sample.epoch).config.vpsTimeoutMs * 2 + SLACK_MS;
    const stillInFlight = probe !== null && sample.t - probe.t < lostProbeMs && (probe.settledAt === null || probe.settledAt > sample.t);
    if (probe !== null && stillInFlight) {
      return `a second backend request (${sample.requestId}) went upstream ${sample.t - probe.t} ms after the half-open probe, before the probe answered`;
    }
    const attempt = trace.attempts.find((candidate) => candidate.server === "backend" && candidate.epoch === sample.epoch && candidate.t === sample.t && candidate.requestId === sample.requestId);
    probe = { t: sample.t, settledAt: attempt?.settledAt ?? null };
  }
  return null;
});
