import type { LabEvent } from "../control/lab-control";
import type { RunState } from "./run-state";
import type { AssertionResult, ClientRecord } from "./records";
import type { Assertion, CheckName, Comparison } from "./types";

interface CheckContext {
  state: RunState;
  events: LabEvent[];
  metrics(): Promise<unknown>;
}

type Verdict = Omit<AssertionResult, "assertion">;
type CheckFn<A extends Assertion> = (assertion: A, ctx: CheckContext) => Promise<Verdict> | Verdict;
type CheckTable = { [K in CheckName]: CheckFn<Extract<Assertion, { check: K }>> };

const verdict = (passed: boolean, expected: string, actual: string): Verdict => ({ passed, expected, actual });

function records(ctx: CheckContext, label: string): ClientRecord[] {
  return ctx.state.responses[label] ?? [];
}

/** A per-response check: passes when the label has responses and every one satisfies it. */
function everyRecord(ctx: CheckContext, label: string, expected: string, read: (record: ClientRecord) => unknown, ok: (value: unknown) => boolean): Verdict {
  const list = records(ctx, label);
  if (list.length === 0) return verdict(false, expected, `no response labelled "${label}"`);
  const values = list.map(read);
  return verdict(values.every(ok), expected, values.map((value) => JSON.stringify(value)).join(", "));
}

function compare(value: number, comparison: Comparison): { passed: boolean; expected: string } {
  if ("equals" in comparison) return { passed: value === comparison.equals, expected: `= ${comparison.equals}` };
  const { atLeast, atMost } = comparison;
  const passed = (atLeast === undefined || value >= atLeast) && (atMost === undefined || value <= atMost);
  const parts = [atLeast !== undefined ? `≥ ${atLeast}` : "", atMost !== undefined ? `≤ ${atMost}` : ""].filter(Boolean);
  return { passed, expected: parts.join(" and ") || "any" };
}

function matchesRoute(event: LabEvent, route: string, server?: string): boolean {
  return (route === "*" || event.route === route) && (server === undefined || event.server === server);
}

function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** Seconds a Retry-After header stands for (integer seconds or an HTTP-date). */
export function retryAfterSeconds(header: string | null, now: number): number | null {
  if (header === null) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.round((date - now) / 1000);
}

/** Every check by name; an assertion is data naming one of these. */
export const CHECKS: CheckTable = {
  status: (a, ctx) => everyRecord(ctx, a.label, `status ${a.equals}`, (r) => r.status, (v) => v === a.equals),
  statusCounts(a, ctx) {
    const counts: Record<string, number> = {};
    for (const record of records(ctx, a.label)) counts[String(record.status)] = (counts[String(record.status)] ?? 0) + 1;
    const keys = new Set([...Object.keys(a.counts), ...Object.keys(counts)]);
    return verdict([...keys].every((key) => (a.counts[key] ?? 0) === (counts[key] ?? 0)), JSON.stringify(a.counts), JSON.stringify(counts));
  },
  errorCode: (a, ctx) => everyRecord(ctx, a.label, `error.code ${a.equals}`, (r) => r.code ?? null, (v) => v === a.equals),
  cause: (a, ctx) => everyRecord(ctx, a.label, `error.cause ${a.equals}`, (r) => r.cause ?? null, (v) => v === a.equals),
  retryable: (a, ctx) =>
    everyRecord(ctx, a.label, `error.retryable ${a.equals}`, (r) => (JSON.parse(r.body || "{}") as { error?: { retryable?: boolean } }).error?.retryable ?? null, (v) => v === a.equals),
  retryAfter(a, ctx) {
    const tolerance = a.tolerance ?? 1;
    return everyRecord(ctx, a.label, `Retry-After ${a.equals} ± ${tolerance} s`, (r) => r.retryAfter, (v) => {
      const seconds = retryAfterSeconds(v as string | null, ctx.state.startedAt + 0);
      return seconds !== null && Number.isInteger(Number(v)) && Math.abs(seconds - a.equals) <= tolerance;
    });
  },
  noRetryAfter: (a, ctx) => everyRecord(ctx, a.label, "no Retry-After", (r) => r.retryAfter, (v) => v === null),
  durationMs(a, ctx) {
    const comparison = { ...(a.atLeast !== undefined ? { atLeast: a.atLeast } : {}), ...(a.atMost !== undefined ? { atMost: a.atMost } : {}) };
    return everyRecord(ctx, a.label, `duration ${compare(0, comparison).expected} ms`, (r) => r.ms, (v) => compare(v as number, comparison).passed);
  },
  bodyIncludes: (a, ctx) => everyRecord(ctx, a.label, `body includes ${JSON.stringify(a.text)}`, (r) => (r.body.includes(a.text) ? "included" : r.body.slice(0, 120)), (v) => v === "included"),
  jsonPath(a, ctx) {
    const expected = a.type !== undefined ? `${a.path} is ${a.type}` : `${a.path} = ${JSON.stringify(a.equals)}`;
    return everyRecord(ctx, a.label, expected, (r) => {
      try {
        return readPath(JSON.parse(r.body), a.path);
      } catch {
        return "<not JSON>";
      }
    }, (v) => (a.type !== undefined ? (a.type === "array" ? Array.isArray(v) : a.type === "null" ? v === null : typeof v === a.type) : JSON.stringify(v) === JSON.stringify(a.equals)));
  },
  requestIdEchoed(a, ctx) {
    return everyRecord(ctx, a.label, "X-Request-Id on the response, and the same id upstream", (r) => {
      const id = r.headers["x-request-id"];
      if (!id) return "missing";
      const upstream = ctx.events.filter((event) => event.requestId === id).length;
      return upstream > 0 ? "echoed" : `id ${id} not seen upstream`;
    }, (v) => v === "echoed");
  },
  setsCookie(a, ctx) {
    return everyRecord(ctx, a.label, a.present ? `Set-Cookie ${a.name}` : `no Set-Cookie ${a.name}`, (r) => r.setCookies.some((line) => line.startsWith(`${a.name}=`)), (v) => v === a.present);
  },
  upstreamAttempts(a, ctx) {
    const attempts = ctx.events.filter((event) => matchesRoute(event, a.route, a.server)).length;
    const { passed, expected } = compare(attempts, a);
    return verdict(passed, `${expected} upstream requests on ${a.route}`, String(attempts));
  },
  upstreamHeaders(a, ctx) {
    const seen = ctx.events.filter((event) => matchesRoute(event, a.route, a.server));
    if (seen.length === 0) return verdict(false, `requests on ${a.route}`, "none reached the fake");
    const problems: string[] = [];
    for (const event of seen) {
      for (const name of a.include ?? []) if (!event.headerNames.includes(name)) problems.push(`missing header ${name}`);
      for (const name of a.exclude ?? []) if (event.headerNames.includes(name)) problems.push(`forwarded header ${name}`);
      for (const name of a.cookiesInclude ?? []) if (!event.cookieNames.includes(name)) problems.push(`missing cookie ${name}`);
      for (const name of a.cookiesExclude ?? []) if (event.cookieNames.includes(name)) problems.push(`forwarded cookie ${name}`);
    }
    return verdict(problems.length === 0, "header allow-list respected", problems.length === 0 ? `${seen.length} request(s) ok` : [...new Set(problems)].join("; "));
  },
  async metric(a, ctx) {
    const value = readPath(await ctx.metrics(), a.path);
    if (typeof value !== "number") return verdict(false, `${a.path} is a number`, JSON.stringify(value));
    const { passed, expected } = compare(value, a);
    return verdict(passed, `${a.path} ${expected}`, String(value));
  },
  async metricIs(a, ctx) {
    const value = readPath(await ctx.metrics(), a.path);
    return verdict(JSON.stringify(value) === JSON.stringify(a.value), `${a.path} = ${JSON.stringify(a.value)}`, JSON.stringify(value));
  },
  async noPlaintextKeyInKv(_a, ctx) {
    const entries = await ctx.state.target.readKv();
    const keys = [...ctx.state.usedKeys];
    if (keys.length === 0 || entries.length === 0) return verdict(false, "KV entries to scan after a connect", `${entries.length} entries, ${keys.length} keys used`);
    const leaks = entries.filter((entry) => keys.some((key) => entry.key.includes(key) || (entry.value ?? "").includes(key))).length;
    return verdict(leaks === 0, "no KV entry contains a provider key", `${entries.length} entries scanned, ${leaks} with a plaintext key`);
  },
  async kvEntries(a, ctx) {
    const count = (await ctx.state.target.readKv()).filter((entry) => entry.key.startsWith(a.prefix)).length;
    const { passed, expected } = compare(count, a);
    return verdict(passed, `${expected} KV entries starting ${a.prefix}`, String(count));
  },
  noSecretInWorkerLogs(_a, ctx) {
    const needles = [...ctx.state.usedKeys, ...ctx.state.secrets];
    const lines = ctx.state.target.workerLogs();
    const leaks = lines.filter((line) => needles.some((needle) => line.includes(needle))).length;
    return verdict(leaks === 0, "no key or secret in Worker log lines", `${lines.length} lines scanned, ${leaks} leaking`);
  },
};

export const CHECK_NAMES = Object.keys(CHECKS) as CheckName[];

/** Evaluates every assertion; metrics are fetched once, lazily, after the traffic. */
export async function evaluate(assertions: Assertion[], state: RunState, events: LabEvent[]): Promise<AssertionResult[]> {
  let metrics: Promise<unknown> | undefined;
  const ctx: CheckContext = {
    state,
    events,
    metrics: () => (metrics ??= state.deps.fetch(`${state.target.workerUrl}/api/v1/metrics`).then((response) => response.json())),
  };
  const results: AssertionResult[] = [];
  for (const assertion of assertions) {
    const check = CHECKS[assertion.check] as CheckFn<Assertion>;
    try {
      results.push({ assertion, ...(await check(assertion, ctx)) });
    } catch (error) {
      results.push({ assertion, passed: false, expected: assertion.check, actual: `check failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return results;
}
