import { ScriptError, type ScriptIo } from "./cli";

export interface RotationCounters {
  fallbackDecrypts: number;
  reencryptSuccesses: number;
  reencryptFailures: number;
  decryptFailures: number;
}

/** Picks the secretRotation counters out of the Worker's metrics JSON (SPEC §3.8). Pure. */
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

/** GET <metrics-url> → rotation counters, with a clear failure (the endpoint is loopback-only). */
export async function fetchRotationCounters(io: ScriptIo, url: string): Promise<RotationCounters> {
  let body: unknown;
  try {
    const response = await io.fetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
  } catch (error) {
    throw new ScriptError(
      `could not read metrics from ${url} (${(error as Error).message}). /api/v1/metrics answers only on a loopback host or to a loopback client (SPEC §3.2).`,
    );
  }
  const counters = readRotationCounters(body);
  if (!counters) throw new ScriptError(`${url} did not return the Worker's metrics JSON (no reliability.secretRotation).`);
  return counters;
}
