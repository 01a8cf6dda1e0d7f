/** Host and URL helpers shared by config, origin checks and metrics access. */
const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

export function isLoopbackHostname(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (LOOPBACK_NAMES.has(host)) return true;
  if (host.endsWith(".localhost")) return true;
  return /^127(\.\d{1,3}){3}$/.test(host);
}

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
