import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Clock } from "../clock/clock";
import { realClock } from "../clock/real-clock";
import { handleControlRequest, isControlPath } from "../control/control-api";
import type { LabControl, ServerName } from "../control/lab-control";
import { serveLab } from "../control/serve-lab";
import type { FakeService } from "../fakes/service";
import type { ResponseShaping } from "../faults/types";

export interface FakeServer {
  name: ServerName;
  url: string;
  close(): Promise<void>;
}

/**
 * Every listener of the local stack (the fakes, the Worker) binds this loopback address only: the
 * stack has a fault API and insecure dev auth, so it must never be reachable from another machine.
 */
export const LOOPBACK_HOST = "127.0.0.1";

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** IncomingMessage → Request (body buffered, every header kept, `signal` aborts when the client leaves). */
function toRequest(req: IncomingMessage, origin: string, body: Buffer, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD" && body.length > 0;
  return new Request(new URL(req.url ?? "/", origin), { method, headers, signal, ...(hasBody ? { body: new Uint8Array(body) } : {}) });
}

/** Response → the socket: status and headers (Set-Cookie kept as separate lines), then the body as it streams. */
async function writeResponse(res: ServerResponse, response: Response, shaping: ResponseShaping): Promise<void> {
  const headers: OutgoingHttpHeaders = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  if (shaping.closeConnection) {
    res.shouldKeepAlive = false;
    headers.connection = "close";
  }
  res.writeHead(response.status, headers);
  if (!response.body) return void res.end();
  const reader = response.body.getReader();
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) return void res.end();
      if (res.destroyed) return void (await reader.cancel());
      res.write(next.value);
    }
  } catch {
    // The body broke (an SSE cut) or the client left: close the connection without a clean end of
    // the body, after the bytes already written are flushed.
    const socket = res.socket;
    socket?.end(() => socket.destroy());
  }
}

async function serveNode(service: FakeService, control: LabControl, clock: Clock, origin: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const gone = new AbortController();
  res.on("close", () => gone.abort(new Error("the client closed the connection")));
  const body = await readBody(req);
  const request = toRequest(req, origin, body, gone.signal);
  if (isControlPath(new URL(request.url).pathname)) return writeResponse(res, await handleControlRequest(control, service.name, request), {});
  let shaping: ResponseShaping = {};
  const answer = await serveLab(control, service, request, { clock, signal: gone.signal, hooks: { onAttempt: (_event, own) => void (shaping = own) } });
  if (answer === "reset") return void req.socket.resetAndDestroy();
  await writeResponse(res, answer, shaping);
}

/** Starts a fake on 127.0.0.1 and a free port; faults and events go through the shared control. */
export function startFakeServer(service: FakeService, control: LabControl, clock: Clock = realClock): Promise<FakeServer> {
  let origin = `http://${LOOPBACK_HOST}`;
  const server: Server = createServer((req, res) => {
    serveNode(service, control, clock, origin, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end('{"error":"fake server failure"}');
    });
  });
  server.keepAliveTimeout = 1000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, LOOPBACK_HOST, () => {
      const { port } = server.address() as AddressInfo;
      origin = `http://${LOOPBACK_HOST}:${port}`;
      resolve({
        name: service.name,
        url: origin,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
