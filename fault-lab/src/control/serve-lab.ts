import type { Clock } from "../clock/clock";
import { hashKey } from "../fakes/ai-answers";
import type { FakeService } from "../fakes/service";
import type { FaultContext, ResponseShaping, ResponseTransform } from "../faults/types";
import type { AttemptHooks, LabControl, LabEvent } from "./lab-control";

export interface ServeOptions {
  clock: Clock;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
  /** Observers of this one attempt, beside the control's own. */
  hooks?: AttemptHooks;
  /**
   * Skip the fault table and answer after this fixed wait (the explorer's attacker: its attempts
   * must never consume a fault's `times` or an RNG draw honest attempts would get).
   */
  bypassFaultsAfterMs?: number;
}

/** What the transport does next: send this answer, or kill the connection (also when the client left). */
export type LabAnswer = Response | "reset";

function cookieNames(header: string | null): string[] {
  if (!header) return [];
  return header
    .split(";")
    .map((part) => part.split("=")[0]!.trim())
    .filter((name) => name !== "");
}

/** A key in the URL (a Worker bug the lab must show, not leak) is logged as a hash. */
function redactQuery(params: URLSearchParams): string {
  const copy = new URLSearchParams(params);
  const key = copy.get("key");
  if (key !== null) copy.set("key", `sha256:${hashKey(key)}`);
  const text = copy.toString();
  return text === "" ? "" : `?${text}`;
}

/**
 * Follows the answer's body to its end so the event records how the exchange really ended:
 * answered (body complete), reset (the stream broke), client-gone (cancelled or aborted).
 */
function tracked(response: Response, finish: (outcome: LabEvent["outcome"]) => void, signal: AbortSignal): Response {
  if (!response.body) {
    finish("answered");
    return response;
  }
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await reader.read();
        if (next.done) {
          finish("answered");
          controller.close();
        } else controller.enqueue(next.value);
      } catch (error) {
        finish(signal.aborted ? "client-gone" : "reset");
        controller.error(error);
      }
    },
    cancel(reason) {
      finish("client-gone");
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/**
 * The lab's one request path, for every transport: records the attempt, runs it through the fault
 * table (route match, `times`, seeded `probability`, in order; the first fault that answers or
 * resets ends it), then lets the fake answer with the shaping the faults asked for.
 */
export async function serveLab(control: LabControl, service: FakeService, request: Request, options: ServeOptions): Promise<LabAnswer> {
  const { clock, signal } = options;
  const url = new URL(request.url);
  const started = clock.now();
  const event = control.record({
    t: started,
    server: service.name,
    method: request.method,
    route: url.pathname,
    query: redactQuery(url.searchParams),
    faults: [],
    status: null,
    outcome: "pending",
    requestId: request.headers.get("x-request-id"),
    headerNames: [...request.headers.keys()].sort(),
    cookieNames: cookieNames(request.headers.get("cookie")),
  });
  const hooks = [...control.observers, ...(options.hooks ? [options.hooks] : [])];
  const finish = (outcome: LabEvent["outcome"]): void => {
    if (event.outcome !== "pending") return;
    event.outcome = outcome;
    event.durationMs = clock.now() - started;
  };
  const settle = (response: Response | null): void => {
    for (const hook of hooks) hook.onSettled?.(event, response);
  };
  const shaping: ResponseShaping = {};
  for (const hook of hooks) {
    const held = hook.onAttempt?.(event, shaping);
    if (held) await held;
  }
  const transforms: ResponseTransform[] = [];
  const ctx: FaultContext = {
    request,
    rng: control.rng,
    clock,
    signal,
    shaping,
    errorBody: service.errorBody,
    now: clock.now,
    transform: (transform) => void transforms.push(transform),
    retryAfterSent: (seconds) => {
      for (const hook of hooks) hook.onRetryAfter?.(event, seconds);
    },
  };
  try {
    signal.throwIfAborted();
    let answer: Response | "reset" | undefined;
    if (options.bypassFaultsAfterMs !== undefined) await clock.sleep(options.bypassFaultsAfterMs, signal);
    else {
      for (const fault of control.takeFaults(service.name, url.pathname)) {
        event.faults.push(fault.fault.kind);
        const outcome = await fault.fault.apply(fault.params, ctx);
        if (outcome !== "continue") {
          answer = outcome;
          break;
        }
      }
    }
    if (answer === "reset") {
      finish("reset");
      settle(null);
      return "reset";
    }
    const response = transforms.reduce((current, transform) => transform(current), answer ?? (await service.handle(request, { shaping, clock, event, signal })));
    event.status = response.status;
    settle(response);
    return tracked(response, finish, signal);
  } catch (error) {
    if (!signal.aborted) throw error;
    finish("client-gone");
    settle(null);
    return "reset";
  }
}
