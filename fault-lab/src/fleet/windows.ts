import type { FleetTrace, UpstreamAttempt } from "./trace";

/**
 * One open window of the shared provider breaker: from the write that opened it to the write that
 * closed or re-opened it. Its half-open part starts when the object granted the probe.
 */
export interface ProviderWindow {
  provider: string;
  openedAt: number;
  halfOpenAt: number | null;
  endedAt: number;
  /** How it ended: closed, re-opened by a failed probe, or still open when the run ended. */
  ending: "closed" | "reopened" | "run-ended";
  /** Provider requests fleet-wide while the window was open or half-open. */
  requests: number;
  /** Of those, requests sent in the half-open part: the probes. */
  probes: number;
}

const isProvider = (attempt: UpstreamAttempt, provider: string) => attempt.server === provider;

export function providerWindows(trace: Pick<FleetTrace, "breaker" | "attempts" | "endedAt">): ProviderWindow[] {
  const windows: ProviderWindow[] = [];
  const open = new Map<string, Omit<ProviderWindow, "requests" | "probes">>();
  const finish = (provider: string, at: number, ending: ProviderWindow["ending"]) => {
    const current = open.get(provider);
    if (!current) return;
    open.delete(provider);
    const inWindow = trace.attempts.filter((attempt) => isProvider(attempt, provider) && attempt.t > current.openedAt && attempt.t <= at);
    const probes = current.halfOpenAt === null ? 0 : inWindow.filter((attempt) => attempt.t >= current.halfOpenAt!).length;
    windows.push({ ...current, endedAt: at, ending, requests: inWindow.length, probes });
  };
  for (const change of trace.breaker) {
    if (change.phase === "open") {
      finish(change.provider, change.t, "reopened");
      open.set(change.provider, { provider: change.provider, openedAt: change.t, halfOpenAt: null, endedAt: change.t, ending: "run-ended" });
    } else if (change.phase === "half-open") {
      const current = open.get(change.provider);
      if (current && current.halfOpenAt === null) current.halfOpenAt = change.t;
    } else {
      finish(change.provider, change.t, "closed");
    }
  }
  for (const provider of [...open.keys()]) finish(provider, trace.endedAt, "run-ended");
  return windows.sort((a, b) => a.openedAt - b.openedAt);
}
