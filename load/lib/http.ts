/** Timed HTTP for the runner: every request bounded by a timeout, loopback targets only. */
import { isLoopbackHostname } from "../../worker/src/net";

export interface Timed {
  /** 0 when no response arrived (refused, reset, timed out). */
  status: number;
  ms: number;
  /** performance.now() when the request started. */
  startedAt: number;
  retryAfter: string | null;
  body: string;
  error?: string;
}

export async function timedRequest(url: string, init: RequestInit = {}, timeoutMs = 5000): Promise<Timed> {
  const startedAt = performance.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    return { status: response.status, ms: performance.now() - startedAt, startedAt, retryAfter: response.headers.get("retry-after"), body };
  } catch (error) {
    return { status: 0, ms: performance.now() - startedAt, startedAt, retryAfter: null, body: "", error: describeFetchError(error) };
  }
}

type FetchCause = { code?: string; message?: string; errors?: { code?: string }[] };

/** "ECONNREFUSED", "TimeoutError", …: undici hides the useful part in `cause` (sometimes an AggregateError). */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: FetchCause }).cause;
  return cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (error as Error).name ?? "error";
}

/** `error.cause` of a Worker error envelope, if the body is one. */
export function errorCause(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { error?: { cause?: string } }).error?.cause;
  } catch {
    return undefined;
  }
}

/** Retry-After as whole seconds ≥ 1, else null (missing, HTTP-date, zero or junk). */
export function retryAfterSeconds(value: string | null): number | null {
  if (value === null || !/^\d+$/.test(value.trim())) return null;
  const seconds = Number(value.trim());
  return seconds >= 1 ? seconds : null;
}

export function assertLoopback(raw: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${what} "${raw}" is not an absolute URL.`);
  }
  if (url.protocol !== "http:" || !isLoopbackHostname(url.hostname)) {
    throw new Error(`${what} ${url.origin} is not a loopback http:// address; the runner sends traffic to this machine only (use k6 for a deployment).`);
  }
  return url;
}

/** Fails within `timeoutMs` with a message that says what to do when nothing answers at `origin`. */
export async function assertReachable(origin: string, what: string, hint: string, timeoutMs = 3000): Promise<void> {
  const probe = await timedRequest(origin + "/", { method: "GET" }, timeoutMs);
  if (probe.status === 0) {
    throw new Error(`Cannot reach ${what} at ${origin} (${probe.error ?? "no answer"}; gave up after ${timeoutMs} ms). ${hint}`);
  }
}
