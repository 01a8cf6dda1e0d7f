import { request as httpRequest } from "node:http";

/**
 * Sends a fetch Request to the served Worker over a real socket while keeping the request's own
 * URL: its host goes in the Host header and its scheme in X-Forwarded-Proto (the rehearsal's workerd
 * socket reads it), so a case addressed to https://pb.example.org reaches the Worker as that URL.
 */
export async function sendOverSocket(workerUrl: string, request: Request): Promise<Response> {
  const target = new URL(request.url);
  const socket = new URL(workerUrl);
  const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => (headers[name] = value));
  headers.host = target.host;
  headers["x-forwarded-proto"] = target.protocol.replace(":", "");
  if (body) headers["content-length"] = String(body.length);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: socket.hostname, port: socket.port, method: request.method, path: `${target.pathname}${target.search}`, headers }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) {
          if (Array.isArray(value)) for (const item of value) responseHeaders.append(name, item);
          else if (value !== undefined) responseHeaders.set(name, value);
        }
        const status = incoming.statusCode ?? 500;
        const payload = status === 204 || status === 304 || request.method === "HEAD" ? null : Buffer.concat(chunks);
        resolve(new Response(payload, { status, headers: responseHeaders }));
      });
      incoming.on("error", reject);
    });
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}
