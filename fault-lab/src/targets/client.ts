import type { ClientRequest } from "./target";
import type { ClientExchange, Envelope } from "../trace/trace";

/** The one clock call a client read needs: a cancellable sleep (virtual in-process, real on workerd). */
export interface ReadClock {
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** A client gives up reading a stream after this much virtual time (a stalled SSE would hang forever). */
export const CLIENT_STREAM_LIMIT_MS = 10 * 60_000;

export interface ClientRead {
  text: string;
  envelope: Envelope | null;
  envelopeProblem: string | null;
  sse: ClientExchange["sse"];
  connected: boolean | null;
}

async function readStream(response: Response, sim: ReadClock): Promise<{ text: string; sse: NonNullable<ClientExchange["sse"]> }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let error: string | null = null;
  const giveUp = new AbortController();
  const deadline = sim.sleep(CLIENT_STREAM_LIMIT_MS, giveUp.signal).then(
    () => "deadline" as const,
    () => "cancelled" as const,
  );
  for (;;) {
    const next = await Promise.race([reader.read(), deadline]).catch((reason: unknown) => ({ failed: reason }));
    if (next === "deadline") {
      error = "client gave up waiting for the stream";
      await reader.cancel().catch(() => undefined);
      break;
    }
    if (next === "cancelled") continue;
    if ("failed" in next) {
      error = next.failed instanceof Error ? next.failed.name : String(next.failed);
      break;
    }
    if (next.done) break;
    text += decoder.decode(next.value, { stream: true });
  }
  giveUp.abort();
  const events = text.match(/^event: heartbeat$/gm)?.length ?? 0;
  return { text, sse: { events, complete: /^event: end$/m.test(text), error } };
}

function parseEnvelope(text: string): { envelope: Envelope | null; problem: string | null } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { envelope: null, problem: "body is not JSON" };
  }
  const error = (body as { error?: unknown } | null)?.error;
  if (typeof error !== "object" || error === null) return { envelope: null, problem: "body has no error object" };
  const record = error as Record<string, unknown>;
  return { envelope: { code: record.code, message: record.message, retryable: record.retryable, cause: record.cause, requestId: record.requestId }, problem: null };
}

/** Reads a Worker answer the way a client would: streams to the end, JSON parsed. */
export async function readClientResponse(response: Response, sim: ReadClock): Promise<ClientRead> {
  if ((response.headers.get("content-type") ?? "").includes("text/event-stream") && response.body) {
    const { text, sse } = await readStream(response, sim);
    return { text, envelope: null, envelopeProblem: null, sse, connected: null };
  }
  const text = await response.text().catch(() => "");
  let connected: boolean | null = null;
  try {
    const body = JSON.parse(text) as { connected?: unknown };
    if (typeof body?.connected === "boolean") connected = body.connected;
  } catch {
    // not JSON: no `connected` field to read
  }
  if (response.status < 400) return { text, envelope: null, envelopeProblem: null, sse: null, connected };
  const { envelope, problem } = parseEnvelope(text);
  return { text, envelope, envelopeProblem: problem, sse: null, connected };
}

/** The one client address every explorer request comes from (one rate-limit bucket per identity). */
export const CLIENT_IP = "198.51.100.7";

/** The trace record of one answered client request. */
export function clientExchange(
  meta: { step: number; epoch: number; label: string; requestId: string; startedAt: number; headersAt: number; endedAt: number; circuit: ClientExchange["circuit"] },
  request: Pick<ClientRequest, "method" | "path" | "jar">,
  response: Response,
  read: ClientRead,
): ClientExchange {
  return {
    ...meta,
    method: request.method,
    path: request.path,
    jar: request.jar,
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    responseRequestId: response.headers.get("x-request-id"),
    contentType: response.headers.get("content-type"),
    envelope: read.envelope,
    envelopeProblem: read.envelopeProblem,
    sse: read.sse,
    connected: read.connected,
  };
}
