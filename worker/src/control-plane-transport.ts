import type { RequestContext } from "./context";
import type { DoStub } from "./env";
import { log } from "./log";
import { countRuntimeConfig } from "./metrics-core";

/** A healthy DO answers in a few ms; past this the request should not wait on it. */
export const CONTROL_PLANE_TIMEOUT_MS = 3000;

export class ControlPlaneUnavailable extends Error {}

function stubFor(ctx: RequestContext, objectName: string): DoStub | null {
  const namespace = ctx.env.CONTROL_PLANE_DO;
  if (!namespace) return null;
  return namespace.get(namespace.idFromName(objectName) as never);
}

/**
 * One JSON call to the DO, guarded by `deps.timeout` (a real timer in production; the test's or the
 * simulation's clock elsewhere, so a hung object costs virtual, not real, time).
 */
export async function callControlPlane<T>(ctx: RequestContext, objectName: string, path: string, payload: Record<string, unknown>): Promise<T> {
  const stub = stubFor(ctx, objectName);
  if (!stub) throw new ControlPlaneUnavailable("CONTROL_PLANE_DO binding missing");
  const timer = ctx.deps.timeout(CONTROL_PLANE_TIMEOUT_MS);
  const timeout = timer.elapsed.then((): never => {
    throw new ControlPlaneUnavailable("control plane timed out");
  });
  // The guard may lose every race; it must never surface as an unhandled rejection.
  timeout.catch(() => undefined);
  try {
    const call = stub.fetch(`https://control-plane${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    });
    const response = await Promise.race([call, timeout]);
    if (!response.ok) throw new ControlPlaneUnavailable(`control plane answered ${response.status}`);
    return (await Promise.race([response.json(), timeout])) as T;
  } finally {
    timer.cancel();
  }
}

/** Every decision taken on this isolate's memory because the object could not be reached is counted and logged. */
export function noteFallback(ctx: RequestContext, counter: "rateLimitFallbacks" | "providerBreakerFallbacks", error: unknown): void {
  countRuntimeConfig(ctx.isolate.metrics, counter);
  countRuntimeConfig(ctx.isolate.metrics, "controlPlaneFallbacks");
  const reason = error instanceof ControlPlaneUnavailable ? error.message : "control plane call failed";
  log("warn", "control_plane_fallback", { requestId: ctx.requestId, use: counter, reason });
}
