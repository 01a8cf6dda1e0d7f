import type { WorkerConfig } from "./config";
import type { Deps } from "./deps";
import { defaultIsolate, type IsolateState } from "./isolate-state";
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
  /** What this isolate remembers between requests (circuits, budget, fallback memory, metrics). */
  isolate: IsolateState;
  waitUntil(promise: Promise<unknown>): void;
}

export function clientIpOf(request: Request): string {
  const direct = request.headers.get("cf-connecting-ip")?.trim();
  if (direct) return direct;
  const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || "unknown";
}

/** One warning per isolate while insecure dev auth is on outside development (it names no secret). */
export function warnInsecureDevAuthOnce(isolate: IsolateState, config: WorkerConfig): boolean {
  if (isolate.insecureAuthWarned || !config.allowInsecureDevAuth || config.isDevEnv) return false;
  isolate.insecureAuthWarned = true;
  log("warn", "insecure_dev_auth_enabled", { nodeEnv: config.nodeEnv || "unset", rule: "unsigned bearer tokens are accepted from local requests" });
  return true;
}

export function createContext(
  request: Request,
  env: WorkerEnv,
  config: WorkerConfig,
  deps: Deps,
  requestId: string,
  waitUntil?: (promise: Promise<unknown>) => void,
  isolate: IsolateState = defaultIsolate,
): RequestContext {
  const url = new URL(request.url);
  warnInsecureDevAuthOnce(isolate, config);
  return {
    request,
    url,
    env,
    config,
    deps,
    requestId,
    clientIp: clientIpOf(request),
    isLocal: isLocal(request, url),
    isolate,
    waitUntil: waitUntil ?? ((promise) => void promise.catch(() => undefined)),
  };
}
