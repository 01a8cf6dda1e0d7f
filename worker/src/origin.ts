import type { RequestContext } from "./context";
import { ApiError } from "./errors";
import { isLoopbackHostname } from "./net";

/**
 * CSRF rule for state-changing routes (SPEC §3.2): a browser Origin must be the Worker's own,
 * listed in ALLOWED_ORIGINS, or — when the Worker itself runs on loopback — any loopback origin
 * (local dev behind a Vite proxy). Requests without Origin (non-browser clients) pass; the
 * SameSite=Lax cookie closes the rest.
 */
export function isOriginAllowed(originHeader: string | null, ctx: Pick<RequestContext, "url" | "config" | "isLocal">): boolean {
  if (originHeader === null) return true;
  let origin: URL;
  try {
    origin = new URL(originHeader);
  } catch {
    return false;
  }
  if (origin.origin === ctx.url.origin) return true;
  if (ctx.config.allowedOrigins.has(origin.origin)) return true;
  return ctx.isLocal && isLoopbackHostname(origin.hostname);
}

export function assertOriginAllowed(ctx: RequestContext): void {
  if (!isOriginAllowed(ctx.request.headers.get("origin"), ctx)) {
    throw new ApiError("BAD_REQUEST", "Origin not allowed for this request.", { status: 403 });
  }
}
