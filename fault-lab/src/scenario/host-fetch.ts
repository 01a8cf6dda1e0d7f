import { request } from "node:http";

/**
 * `fetch` ignores a Host header (undici always sends the URL's host). A scenario that names one —
 * a proxy or tunnel in front of the Worker that keeps the client's Host — goes out through
 * node:http with that Host instead, and comes back as a plain Response.
 */
export function fetchWithHost(url: string, init: { method: string; headers: Headers; body?: string | undefined; signal?: AbortSignal }): Promise<Response> {
  const target = new URL(url);
  const headers: Record<string, string> = Object.fromEntries(init.headers.entries());
  if (init.body !== undefined) headers["content-length"] = String(Buffer.byteLength(init.body));
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: init.method, headers, setHost: false, ...(init.signal ? { signal: init.signal } : {}) }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("error", reject);
      incoming.on("end", () => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) {
          for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, item);
        }
        const status = incoming.statusCode ?? 502;
        resolve(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers: responseHeaders }));
      });
    });
    outgoing.on("error", reject);
    outgoing.end(init.body);
  });
}
