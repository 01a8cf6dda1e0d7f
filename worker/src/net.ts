/** Host and URL helpers shared by config, origin checks and metrics access. */
const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

export function isLoopbackHostname(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (LOOPBACK_NAMES.has(host)) return true;
  if (host.endsWith(".localhost")) return true;
  return /^127(\.\d{1,3}){3}$/.test(host);
}

/** The headers that name the client's IP; the edge sets `cf-connecting-ip`, proxies `x-forwarded-for`. */
export interface ClientIpHeaders {
  cfConnectingIp: string | null;
  forwardedFor: string | null;
}

const firstForwarded = (header: string | null): string => header?.split(",")[0]?.trim() ?? "";

/**
 * Whether a request comes from this machine: the one rule behind `/__dev/`, the metrics gate, the
 * loopback Origin allowance and insecure dev auth (docs/api.md). The host must be loopback (the
 * app's local calls send no client-IP header), and a request that names a non-loopback client IP
 * in `cf-connecting-ip` or the first `x-forwarded-for` entry is never local, whatever its Host:
 * on Cloudflare the edge always sets the real one, proxies and tunnels set them too. A named
 * loopback IP never makes a non-loopback host local, since a client can send that header itself.
 */
export function isLocalRequest(hostname: string, ips: ClientIpHeaders): boolean {
  if (!isLoopbackHostname(hostname)) return false;
  for (const named of [ips.cfConnectingIp?.trim() ?? "", firstForwarded(ips.forwardedFor)]) {
    if (named !== "" && !isLoopbackIp(named)) return false;
  }
  return true;
}

/** 127.0.0.0/8, ::1 (bracketed or not) and their IPv4-mapped IPv6 forms. */
export function isLoopbackIp(value: string): boolean {
  const ip = value.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (ip === "::1" || ip === "0:0:0:0:0:0:0:1") return true;
  const v4 = ip.startsWith("::ffff:") ? ip.slice("::ffff:".length) : ip;
  const parts = v4.split(".");
  return parts.length === 4 && parts[0] === "127" && parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255);
}

/** The request's local-ness from its URL and headers. */
export const isLocal = (request: Request, url: URL = new URL(request.url)): boolean =>
  isLocalRequest(url.hostname, { cfConnectingIp: request.headers.get("cf-connecting-ip"), forwardedFor: request.headers.get("x-forwarded-for") });

/** An absolute http(s) URL; `https:` required unless the host is loopback. */
export function parseServiceUrl(raw: string): { ok: true; url: URL } | { ok: false; reason: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "is not an absolute URL" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { ok: false, reason: `uses ${url.protocol} (expected https:)` };
  }
  if (url.protocol === "http:" && !isLoopbackHostname(url.hostname)) {
    return { ok: false, reason: "must use https: unless it points at a loopback host" };
  }
  if (url.username || url.password) return { ok: false, reason: "must not contain credentials" };
  return { ok: true, url };
}
