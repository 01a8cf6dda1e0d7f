import type { LabControl, LabEvent, ServerName } from "../src/control";
import { answerFor, detectIntent, hashKey, isInvalidKey, keyRefusal } from "../src/fakes/ai-answers";
import { GEMINI_INVALID_KEY_BODY, geminiError, geminiReply, readGeminiPrompt } from "../src/fakes/gemini-wire";
import { openrouterError, openrouterReply, readOpenrouterPrompt } from "../src/fakes/openrouter-wire";
import type { ParsedFault } from "../src/faults/registry";
import type { StatusParams } from "../src/faults/status";
import type { ResponseShaping } from "../src/faults/types";
import { HOSTILE_UPSTREAM_LATENCY_MS } from "./hostile";
import type { Simulation } from "./sim";

/** Loopback origins the in-process Worker is configured with; nothing listens on them. */
export const UPSTREAM_ORIGINS: Record<ServerName, string> = {
  backend: "http://127.0.0.1:9701",
  gemini: "http://127.0.0.1:9702",
  openrouter: "http://127.0.0.1:9703",
};

const SERVER_BY_ORIGIN = new Map(Object.entries(UPSTREAM_ORIGINS).map(([name, origin]) => [origin, name as ServerName]));

export interface UpstreamHooks {
  /** Called when an attempt arrives, before any fault: the harness samples the circuit here. */
  onAttempt(event: LabEvent, client: ClientTag | null): void;
  /** Retry-After the fake sent (seconds, or an HTTP-date's offset in seconds), per attempt seq. */
  onRetryAfter(seq: number, seconds: number): void;
  /** Called when the attempt's exchange ends: the fake answered, reset, or the Worker aborted it. */
  onSettled?(seq: number): void;
}

const encoder = new TextEncoder();

function errorBody(server: ServerName, status: number): unknown {
  if (server === "gemini") return geminiError(status);
  if (server === "openrouter") return openrouterError(status);
  return { error: { code: status >= 500 ? "UPSTREAM_ERROR" : "BAD_REQUEST", message: `fake backend answered ${status}` } };
}

function abortPromise(signal: AbortSignal | null | undefined): Promise<never> {
  return new Promise((_, reject) => {
    if (!signal) return;
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/** The prompt and whether it carries audio, read as the Node fakes read it (one wire module per provider). */
function promptOf(server: ServerName, body: unknown): { prompt: string; hasAudio: boolean } {
  return server === "gemini" ? readGeminiPrompt(body) : { prompt: readOpenrouterPrompt(body), hasAudio: false };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

interface Exchange {
  server: ServerName;
  request: Request;
  url: URL;
  body: string;
  event: LabEvent;
  signal: AbortSignal | null;
  shaping: ResponseShaping;
}

/**
 * Deterministic in-memory fakes of the backend and both providers behind one `fetch`: the lab's
 * fault table (LabControl: routes, `times`, seeded `probability`) decides which faults hit each
 * attempt, and this file applies the same fault data on virtual time instead of a socket.
 */
/** The client request (and its schedule step) an outbound attempt is made for. */
export interface ClientTag {
  requestId: string;
  step: number;
  /**
   * The explorer's attacker (hostile.ts): its attempts bypass the fault table — they never consume
   * a fault's `times` or an RNG draw honest attempts would get — and answer after a fixed latency.
   */
  hostile?: boolean;
}

export type UpstreamFetch = (input: Request | string | URL, init?: RequestInit, client?: ClientTag) => Promise<Response>;

export function createUpstreamFetch(control: LabControl, sim: Simulation, hooks: UpstreamHooks): UpstreamFetch {
  const answer = (ex: Exchange, status: number, body: unknown, extra: Record<string, string> = {}): Response => {
    const headers = new Headers({ "content-type": "application/json; charset=utf-8", ...extra });
    const requestId = ex.request.headers.get("x-request-id");
    if (requestId) headers.set("x-request-id", requestId);
    const text = JSON.stringify(body);
    ex.event.status = status;
    ex.event.outcome = "answered";
    return new Response(ex.shaping.malformedJson ? text.slice(0, Math.max(1, Math.floor(text.length / 2))) : text, { status, headers });
  };

  const answerStatus = (ex: Exchange, params: StatusParams): Response => {
    const extra: Record<string, string> = {};
    if (params.retryAfter !== undefined) {
      extra["retry-after"] = String(params.retryAfter);
      hooks.onRetryAfter(ex.event.seq, params.retryAfter);
    } else if (params.retryAfterDate !== undefined) {
      extra["retry-after"] = new Date(sim.now() + params.retryAfterDate * 1000).toUTCString();
      hooks.onRetryAfter(ex.event.seq, params.retryAfterDate);
    }
    return answer(ex, params.status, params.body === undefined ? errorBody(ex.server, params.status) : params.body, extra);
  };

  const wait = async (ex: Exchange, ms: number): Promise<void> => {
    try {
      await sim.sleep(ms, ex.signal ?? undefined);
    } catch (reason) {
      ex.event.outcome = "client-gone";
      throw reason;
    }
  };

  /** Applies one fault; a Response ends the exchange, undefined lets the next fault or the fake answer. */
  const applyFault = async (ex: Exchange, fault: ParsedFault): Promise<Response | undefined> => {
    const params = fault.params as Record<string, unknown>;
    switch (fault.fault.kind) {
      case "latency": {
        const ms = params.ms as number | { min: number; max: number };
        await wait(ex, typeof ms === "number" ? ms : control.rng.int(ms.min, ms.max));
        return undefined;
      }
      case "hang":
        if (params.ms === undefined) {
          try {
            await abortPromise(ex.signal);
          } finally {
            ex.event.outcome = "client-gone";
          }
        }
        await wait(ex, params.ms as number);
        return undefined;
      case "status":
      case "retry-after":
        return answerStatus(ex, fault.params as StatusParams);
      case "reset":
        if (params.afterMs !== undefined) await wait(ex, params.afterMs as number);
        ex.event.outcome = "reset";
        throw new TypeError("fetch failed: connection reset by the explorer's fake");
      case "malformed-json":
        if (params.status !== undefined) {
          ex.event.status = params.status as number;
          ex.event.outcome = "answered";
          return new Response('{"truncated": [1, 2, ', { status: params.status as number, headers: { "content-type": "application/json; charset=utf-8" } });
        }
        ex.shaping.malformedJson = true;
        return undefined;
      case "sse-truncate":
        ex.shaping.sseCutAfterEvents = params.afterEvents as number;
        return undefined;
      case "sse-stall":
        ex.shaping.sseStallAfterEvents = params.afterEvents as number;
        return undefined;
      default:
        throw new Error(`the in-process explorer cannot apply fault kind "${fault.fault.kind}" yet`);
    }
  };

  const sseStream = (ex: Exchange): Response => {
    const total = Math.min(Number(ex.url.searchParams.get("events") ?? 3) || 0, 10_000);
    const interval = Math.min(Number(ex.url.searchParams.get("intervalMs") ?? 100) || 0, 600_000);
    let index = 0;
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(": stream open\n\n"));
      },
      async pull(controller) {
        try {
          if (ex.shaping.sseCutAfterEvents !== undefined && index >= ex.shaping.sseCutAfterEvents) {
            ex.event.outcome = "reset";
            controller.error(new TypeError("terminated: the explorer's fake cut the stream"));
            return;
          }
          if (ex.shaping.sseStallAfterEvents !== undefined && index >= ex.shaping.sseStallAfterEvents) await abortPromise(ex.signal);
          if (index >= total) {
            if (!cancelled) controller.enqueue(encoder.encode("event: end\ndata: {}\n\n"));
            ex.event.outcome = "answered";
            controller.close();
            return;
          }
          await sim.sleep(interval, ex.signal ?? undefined);
          index += 1;
          if (!cancelled) controller.enqueue(encoder.encode(`event: heartbeat\nid: ${index}\ndata: {"n":${index}}\n\n`));
        } catch (reason) {
          ex.event.outcome = "client-gone";
          if (!cancelled) controller.error(reason);
        }
      },
      cancel() {
        cancelled = true;
        ex.event.outcome = "client-gone";
      },
    });
    const headers = new Headers({ "content-type": "text/event-stream", "cache-control": "no-cache" });
    const requestId = ex.request.headers.get("x-request-id");
    if (requestId) headers.set("x-request-id", requestId);
    ex.event.status = 200;
    return new Response(stream, { status: 200, headers });
  };

  const backend = (ex: Exchange): Response => {
    const route = `${ex.request.method} ${ex.url.pathname}`;
    switch (route) {
      case "GET /api/v2/sync/pull":
        return answer(ex, 200, { changes: [{ id: "note-1", title: "Explorer note" }], cursor: `c${ex.event.seq}`, hasMore: false });
      case "POST /api/v2/sync/push":
        return answer(ex, 200, { accepted: 1, bytes: ex.body.length });
      case "POST /api/v2/events/ticket":
        return answer(ex, 200, { ticket: `ticket-${ex.event.seq}`, expiresInSec: 60 });
      case "GET /api/v2/events":
        return sseStream(ex);
      default:
        return answer(ex, 404, { error: { code: "NOT_FOUND", message: `fake backend has no ${route}` } });
    }
  };

  const provider = (ex: Exchange): Response => {
    const key = ex.server === "gemini" ? (ex.request.headers.get("x-goog-api-key") ?? "") : (ex.request.headers.get("authorization") ?? "").replace(/^Bearer\s+/i, "");
    if (key !== "") ex.event.keyHash = hashKey(key);
    if (isInvalidKey(key)) return ex.server === "gemini" ? answer(ex, 400, GEMINI_INVALID_KEY_BODY) : answer(ex, 401, openrouterError(401));
    const { prompt, hasAudio } = promptOf(ex.server, parseJson(ex.body));
    const intent = detectIntent(prompt, hasAudio);
    ex.event.intent = intent;
    const refusal = keyRefusal(key, intent, ex.server === "gemini" ? "gemini" : "openrouter");
    if (refusal !== null) return answer(ex, refusal, errorBody(ex.server, refusal));
    const text = answerFor(intent);
    return ex.server === "gemini"
      ? answer(ex, 200, geminiReply(text))
      : answer(ex, 200, openrouterReply(text, { id: `gen-${ex.event.seq}` }));
  };

  return async (input, init, client) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const server = SERVER_BY_ORIGIN.get(url.origin);
    if (!server) throw new TypeError(`unhandled outbound request to ${url.origin}: the explorer only fakes ${[...SERVER_BY_ORIGIN.keys()].join(", ")}`);
    const signal = init?.signal ?? request.signal;
    const body = request.method === "GET" || request.method === "HEAD" ? "" : await request.text();
    const event = control.record({
      t: sim.now(),
      server,
      method: request.method,
      route: url.pathname,
      query: url.search,
      faults: [],
      status: null,
      outcome: "pending",
      requestId: request.headers.get("x-request-id"),
      headerNames: [...request.headers.keys()].sort(),
      cookieNames: (request.headers.get("cookie") ?? "").split(";").map((part) => part.split("=")[0]!.trim()).filter((name) => name !== ""),
    });
    hooks.onAttempt(event, client ?? null);
    const ex: Exchange = { server, request, url, body, event, signal, shaping: {} };
    if (signal?.aborted) {
      event.outcome = "client-gone";
      throw signal.reason;
    }
    try {
      if (client?.hostile) {
        await wait(ex, HOSTILE_UPSTREAM_LATENCY_MS);
        return server === "backend" ? backend(ex) : provider(ex);
      }
      for (const fault of control.takeFaults(server, url.pathname)) {
        event.faults.push(fault.fault.kind);
        const response = await applyFault(ex, fault);
        if (response) return response;
      }
      return server === "backend" ? backend(ex) : provider(ex);
    } finally {
      hooks.onSettled?.(event.seq);
    }
  };
}
