import { CASES } from "../../../worker/conformance/cases";
import { BACKEND_ORIGIN } from "../../../worker/conformance/fakes";
import { runCase, type ConformanceTarget } from "../../../worker/conformance/run";
import type { ConformanceCase } from "../../../worker/conformance/types";
import { sendOverSocket } from "./http-target";
import type { LocalKv } from "./kv-server";
import type { LocalUpstreams } from "./upstreams";

export { BACKEND_ORIGIN };

/** Cases whose premise is a setting being unset, which a production config sets (the workerd test config leaves it unset). */
const PREMISE_UNSET: readonly { variable: string; name: RegExp }[] = [{ variable: "VPS_API_ORIGIN", name: /without VPS_API_ORIGIN/ }];

/**
 * Which conformance cases the rehearsal runs: the workerd cases that need no per-request env (the
 * rehearsal serves exactly the shipped vars), no KV outage and no client-side body failure (both are
 * in-process only), and none whose premise contradicts a shipped setting. Pure.
 */
export function rehearsalCases(shippedVars: Readonly<Record<string, string>>, cases: readonly ConformanceCase[] = CASES): { run: ConformanceCase[]; skipped: ConformanceCase[] } {
  const run: ConformanceCase[] = [];
  const skipped: ConformanceCase[] = [];
  for (const c of cases) {
    const inProcessOnly = c.env !== undefined || c.kvOutage === true || c.request.failingBody === true || (c.runners !== undefined && !c.runners.includes("workerd"));
    const contradicted = PREMISE_UNSET.some((premise) => shippedVars[premise.variable] !== undefined && premise.name.test(c.name));
    (inProcessOnly || contradicted ? skipped : run).push(c);
  }
  return { run, skipped };
}

export interface CaseResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** Runs each case against the served bundle, through the same runner and invariants as the in-process suites. */
export async function runConformance(workerUrl: string, upstreams: LocalUpstreams, kv: LocalKv, logLines: () => string[], cases: readonly ConformanceCase[]): Promise<CaseResult[]> {
  const target: ConformanceTarget = {
    runner: "workerd",
    providerBases: { gemini: upstreams.providers.handlerOrigin, openrouter: upstreams.providers.handlerOrigin },
    network: upstreams,
    send: (request) => sendOverSocket(workerUrl, request),
    kvValues: async () => [...kv.entries].map(([key, entry]) => ({ key, value: entry.value })),
    logLines,
  };
  const results: CaseResult[] = [];
  for (const c of cases) {
    try {
      await runCase(c, target);
      results.push({ name: `${c.spec} — ${c.name}`, ok: true, detail: "" });
    } catch (error) {
      results.push({ name: `${c.spec} — ${c.name}`, ok: false, detail: (error as Error).message.split("\n").slice(0, 6).join(" | ") });
    }
  }
  upstreams.resetHandlers();
  return results;
}
