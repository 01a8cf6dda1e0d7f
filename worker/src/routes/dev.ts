import type { RequestContext } from "../context";
import { DIAGNOSTICS_APP_JS } from "../dev/app";
import { DIAGNOSTICS_HTML } from "../dev/html";
import { handleLabControl, LAB_CONTROL_PREFIX } from "../dev/lab-control";
import { DIAGNOSTICS_CSS } from "../dev/styles";
import { withStandardHeaders } from "../http";

/**
 * Strict CSP: scripts and styles only from the Worker's own origin (no inline code at all), calls
 * only to itself, never framed. The page therefore cannot leak a key to another origin even if a
 * server string were ever rendered unescaped.
 */
export const DEV_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const ASSETS: Readonly<Record<string, { body: string; type: string }>> = {
  "/__dev": { body: DIAGNOSTICS_HTML, type: "text/html; charset=utf-8" },
  "/__dev/": { body: DIAGNOSTICS_HTML, type: "text/html; charset=utf-8" },
  "/__dev/app.js": { body: DIAGNOSTICS_APP_JS, type: "text/javascript; charset=utf-8" },
  "/__dev/app.css": { body: DIAGNOSTICS_CSS, type: "text/css; charset=utf-8" },
};

/**
 * Dev-only routes (the diagnostics page). The router calls this only in development/test on a
 * loopback host; the same check is repeated here so the page can never be served by mistake if the
 * router changes (issue 6: never exposed in production).
 */
export async function handleDevRoute(ctx: RequestContext): Promise<Response | null> {
  if (!ctx.config.devRoutesEnabled || !ctx.isLocal) return null;
  if (ctx.url.pathname.startsWith(LAB_CONTROL_PREFIX)) return handleLabControl(ctx);
  const method = ctx.request.method.toUpperCase();
  if (method !== "GET" && method !== "HEAD") return null;
  const asset = Object.hasOwn(ASSETS, ctx.url.pathname) ? ASSETS[ctx.url.pathname] : undefined;
  if (!asset) return null;
  const headers = withStandardHeaders(new Headers(), ctx.requestId);
  headers.set("Content-Type", asset.type);
  headers.set("Cache-Control", "no-store");
  headers.set("Content-Security-Policy", DEV_CSP);
  headers.set("Cross-Origin-Opener-Policy", "same-origin");
  headers.set("Cross-Origin-Resource-Policy", "same-origin");
  headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
  return new Response(method === "HEAD" ? null : asset.body, { status: 200, headers });
}
