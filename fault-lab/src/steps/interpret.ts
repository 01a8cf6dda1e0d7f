import type { Answer, ClientRequest, Target } from "../targets/target";
import { createCookieJars, type CookieJars } from "./cookie-jar";
import { connectLabel, requestMethod, type RequestStep, type Step } from "./model";

export interface InterpretOptions {
  /**
   * Called before each step with its index. Returning a reason skips the step (the in-process
   * explorer holds the attacker back while a provider fault is armed, see src/explorer/hostile.ts).
   */
  beforeStep?(index: number, step: Step): string | null;
  /** Default client address (CF-Connecting-IP) per request; a step's own header wins. */
  clientIp?(request: Pick<ClientRequest, "jar" | "connect">): string | undefined;
}

export interface Interpretation {
  /** Index of the step that never finished (a request never answered, a wait never reached), or null. */
  stoppedAt: number | null;
  skipped: { index: number; kind: Step["do"]; reason: string }[];
  /** Provider keys the connect steps used (scanned for in KV and logs, never printed). */
  usedKeys: string[];
}

function bodyOf(step: RequestStep): string | undefined {
  if (step.bodyBytes !== undefined) return JSON.stringify({ blob: "x".repeat(step.bodyBytes) });
  if (typeof step.body === "string") return step.body;
  return JSON.stringify(step.body ?? {});
}

/**
 * The wire form of a request step, the same on every target: X-Request-Id `req-<label>-<index>`,
 * JSON for every method with a body (`{}` when none is given), the jar's cookies after any the step
 * wrote itself.
 */
export function clientRequests(stepIndex: number, step: RequestStep, jars: CookieJars, options: InterpretOptions = {}, connect = false): ClientRequest[] {
  const method = requestMethod(step);
  const jar = step.as ?? null;
  const ip = options.clientIp?.({ jar, connect });
  const cookie = jars.header(step.as, step.tossFrom);
  return Array.from({ length: Math.max(1, step.concurrency ?? 1) }, (_, index) => {
    const requestId = `req-${step.label}-${index}`;
    const headers = new Headers({ "x-request-id": requestId, ...(ip ? { "cf-connecting-ip": ip } : {}), ...step.headers });
    if (cookie) headers.set("cookie", headers.has("cookie") ? `${headers.get("cookie")}; ${cookie}` : cookie);
    const body = method === "GET" || method === "HEAD" ? undefined : bodyOf(step);
    if (body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
    return { step: stepIndex, label: step.label, index, requestId, method, path: step.path, headers: Object.fromEntries(headers.entries()), ...(body !== undefined ? { body } : {}), jar, connect };
  });
}

async function send(target: Target, jars: CookieJars, step: RequestStep, requests: ClientRequest[]): Promise<boolean> {
  const answers = await target.sendAll(requests);
  for (const answer of answers) if (answer && step.as && !step.keepCookies) jars.store(step.as, answer.setCookies);
  return answers.every((answer: Answer | null) => answer !== null);
}

/** Runs every step against the target, in order; a step that never finishes ends the run. */
export async function interpret(steps: readonly Step[], target: Target, options: InterpretOptions = {}): Promise<Interpretation> {
  const jars = createCookieJars();
  const result: Interpretation = { stoppedAt: null, skipped: [], usedKeys: [] };
  for (const [index, step] of steps.entries()) {
    const skip = options.beforeStep?.(index, step) ?? null;
    if (skip !== null) {
      result.skipped.push({ index, kind: step.do, reason: skip });
      continue;
    }
    if (step.do === "doOutage" && !target.setDoOutage) {
      result.skipped.push({ index, kind: step.do, reason: "this target cannot make the Durable Object unreachable" });
      continue;
    }
    if (!(await runStep(index, step, target, jars, options, result))) {
      result.stoppedAt = index;
      break;
    }
  }
  return result;
}

async function runStep(index: number, step: Step, target: Target, jars: CookieJars, options: InterpretOptions, result: Interpretation): Promise<boolean> {
  switch (step.do) {
    case "request":
      return send(target, jars, step, clientRequests(index, step, jars, options));
    case "connect": {
      result.usedKeys.push(step.key);
      const request: RequestStep = { do: "request", label: connectLabel(step), method: "POST", path: "/api/v1/auth/connect", body: { provider: step.provider, apiKey: step.key }, as: step.as };
      return send(target, jars, request, clientRequests(index, request, jars, options, true));
    }
    case "wait":
      return target.wait(step.ms);
    case "restartWorker":
      await target.restartWorker(step.vars ?? {});
      return true;
    case "rotateSecret":
      await target.rotateSecret();
      return true;
    case "setFaults":
      await target.setFaults({ route: step.route, faults: step.faults, ...(step.server ? { server: step.server } : {}) });
      return true;
    case "clearFaults":
      await target.clearFaults();
      return true;
    case "kvOutage":
      await target.setKvOutage(step.on);
      return true;
    case "doOutage":
      await target.setDoOutage!(step.on);
      return true;
  }
}
