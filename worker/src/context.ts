import type { WorkerConfig } from "./config";
import type { Deps } from "./deps";
import type { WorkerEnv } from "./env";
import { log } from "./log";
import { isLocal } from "./net";

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
  /** The request comes from this machine (net.ts `isLocalRequest`: loopback host, no non-loopback client IP named). */
  isLocal: boolean;
  waitUntil(promise: Promise<unknown>): void;
}

export function clientIpOf(request: Request): string {
  const direct = request.headers.get("cf-connecting-ip")?.trim();
  if (direct) return direct;
  const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || "unknown";
}

let insecureAuthWarned = false;

/** One warning per isolate while insecure dev auth is on outside development (it names no secret). */
export function warnInsecureDevAuthOnce(config: WorkerConfig): boolean {
  if (insecureAuthWarned || !config.allowInsecureDevAuth || config.isDevEnv) return false;
  insecureAuthWarned = true;
  log("warn", "insecure_dev_auth_enabled", { nodeEnv: config.nodeEnv || "unset", rule: "unsigned bearer tokens are accepted from local requests" });
  return true;
}

/** Tests start from a fresh isolate's state. */
export function resetInsecureAuthWarning(): void {
  insecureAuthWarned = false;
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
  warnInsecureDevAuthOnce(config);
  return {
    request,
    url,
    env,
    config,
    deps,
    requestId,
    clientIp: clientIpOf(request),
    isLocal: isLocal(request, url),
    waitUntil: waitUntil ?? ((promise) => void promise.catch(() => undefined)),
  };
}
