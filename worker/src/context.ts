import type { WorkerConfig } from "./config";
import type { Deps } from "./deps";
import type { WorkerEnv } from "./env";
import { isLoopbackHostname } from "./net";

/** Everything a route handler needs about one request. Built once by the router. */
export interface RequestContext {
  request: Request;
  url: URL;
  env: WorkerEnv;
  config: WorkerConfig;
  deps: Deps;
  requestId: string;
  /** `cf-connecting-ip`, else the first `x-forwarded-for` entry, else "unknown". */
  clientIp: string;
  /** The request's own host is loopback (local dev, tests, the lab). */
  isLoopbackHost: boolean;
  waitUntil(promise: Promise<unknown>): void;
}

export function clientIpOf(request: Request): string {
  const direct = request.headers.get("cf-connecting-ip")?.trim();
  if (direct) return direct;
  const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || "unknown";
}

export function createContext(
  request: Request,
  env: WorkerEnv,
  config: WorkerConfig,
  deps: Deps,
  requestId: string,
  waitUntil?: (promise: Promise<unknown>) => void,
): RequestContext {
  const url = new URL(request.url);
  return {
    request,
    url,
    env,
    config,
    deps,
    requestId,
    clientIp: clientIpOf(request),
    isLoopbackHost: isLoopbackHostname(url.hostname),
    waitUntil: waitUntil ?? ((promise) => void promise.catch(() => undefined)),
  };
}
