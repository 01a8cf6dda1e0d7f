/**
 * The bench's two Node servers: an instant fake backend and the one-hop floor, a plain
 * `http.request` reverse proxy. bench.ts runs each in its own child process (server-child.ts) so
 * each has its own event loop, as separate hosts would.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

/** A route on the fake backend that always fails, used to force the Worker's circuit open. */
export const FAILING_PATH = "/api/v2/bench/fail";
export const BENCH_PATH = "/api/v2/sync/push";

const RESPONSE_BODY = JSON.stringify({
  ok: true,
  cursor: "c-000000000000000042",
  applied: 3,
  conflicts: [],
  serverTime: "2026-11-25T12:00:00.000Z",
  changes: [{ id: "note-1", version: 7 }, { id: "note-2", version: 3 }, { id: "note-3", version: 11 }],
  padding: "x".repeat(96),
});
const FAILURE_BODY = JSON.stringify({ error: "bench: upstream failing on purpose" });

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

/** Answers every request as soon as its body has arrived; FAILING_PATH answers 503. */
export function startBackend(): Promise<number> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const failing = req.url?.startsWith(FAILING_PATH) ?? false;
      const body = failing ? FAILURE_BODY : RESPONSE_BODY;
      res.writeHead(failing ? 503 : 200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
  });
  return listen(server);
}

/** The one-hop floor: the smallest correct Node reverse proxy (keep-alive agent, streamed bodies). */
export function startNodeProxy(targetOrigin: string): Promise<number> {
  const target = new URL(targetOrigin);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const server = http.createServer((req, res) => {
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  return listen(server);
}
