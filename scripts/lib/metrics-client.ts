import { ScriptError, type ScriptIo } from "./cli";

export interface RotationCounters {
  fallbackDecrypts: number;
  reencryptSuccesses: number;
  reencryptFailures: number;
  decryptFailures: number;
}

/** Picks the secretRotation counters out of the Worker's metrics JSON (docs/api.md). Pure. */
export function readRotationCounters(body: unknown): RotationCounters | null {
  const rotation = (body as { reliability?: { secretRotation?: Record<string, unknown> } } | null)?.reliability?.secretRotation;
  if (!rotation || typeof rotation.fallbackDecrypts !== "number") return null;
  const num = (name: string) => (typeof rotation[name] === "number" ? (rotation[name] as number) : 0);
  return {
    fallbackDecrypts: num("fallbackDecrypts"),
    reencryptSuccesses: num("reencryptSuccesses"),
    reencryptFailures: num("reencryptFailures"),
    decryptFailures: num("decryptFailures"),
  };
}

/**
 * GET <metrics-url> → rotation counters. With `token` (METRICS_TOKEN) it sends
 * `Authorization: Bearer …`, which a deployed Worker requires of a caller that is not local.
 * The counters are those of the one isolate that answered.
 */
export async function fetchRotationCounters(io: ScriptIo, url: string, token?: string): Promise<RotationCounters> {
  let body: unknown;
  try {
    const headers: Record<string, string> = { accept: "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await io.fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
  } catch (error) {
    const hint = token
      ? "Check WORKER_URL and that METRICS_TOKEN matches the Worker's secret (a wrong token answers 404)."
      : "/api/v1/metrics answers a remote caller only with METRICS_TOKEN: set it (the same value as the Worker's secret).";
    throw new ScriptError(`could not read metrics from ${url} (${(error as Error).message}). ${hint}`);
  }
  const counters = readRotationCounters(body);
  if (!counters) throw new ScriptError(`${url} did not return the Worker's metrics JSON (no reliability.secretRotation).`);
  return counters;
}
