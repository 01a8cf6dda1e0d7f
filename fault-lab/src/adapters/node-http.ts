import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleControlRequest } from "./control-api";
import type { LabControl, LabEvent, ServerName } from "./control";
import { hashKey } from "./fakes/ai-answers";
import type { FaultContext, ResponseShaping } from "./faults/types";

/** One request as the fake's handler sees it (body already buffered). */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: Buffer;
  /** The event-log entry of this request; handlers add keyHash/intent to it. */
  event: LabEvent;
  clientGone: Promise<void>;
}

export interface FakeService {
  name: ServerName;
  handle(request: FakeRequest, res: ServerResponse, shaping: ResponseShaping): Promise<void>;
  /** The real service's error body for a status, used by status faults without a body. */
  errorBody(status: number): unknown;
}

export interface FakeServer {
  name: ServerName;
  url: string;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function cookieNames(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(";")
    .map((part) => part.split("=")[0]!.trim())
    .filter((name) => name !== "");
}

/** A key in the URL (a Worker bug the lab must show, not leak) is logged as a hash. */
function redactQuery(params: URLSearchParams): string {
  const copy = new URLSearchParams(params);
  const key = copy.get("key");
  if (key !== null) copy.set("key", `sha256:${hashKey(key)}`);
  const text = copy.toString();
  return text === "" ? "" : `?${text}`;
}

async function serveFake(service: FakeService, control: LabControl, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://fake.local");
  if (url.pathname.startsWith("/__lab/")) return handleControlRequest(control, service.name, req, res, url);
  const body = await readBody(req);
  const started = control.now();
  const requestId = req.headers["x-request-id"];
  const event = control.record({
    t: started,
    server: service.name,
    method: req.method ?? "GET",
    route: url.pathname,
    query: redactQuery(url.searchParams),
    faults: [],
    status: null,
    outcome: "pending",
    requestId: typeof requestId === "string" ? requestId : null,
    headerNames: Object.keys(req.headers).sort(),
    cookieNames: cookieNames(req.headers.cookie),
  });
  const clientGone = new Promise<void>((resolve) => res.on("close", () => resolve()));
  res.on("close", () => {
    event.durationMs = control.now() - started;
    if (res.writableFinished) {
      event.status = res.statusCode;
      event.outcome = "answered";
    } else if (event.outcome === "pending") {
      event.outcome = "client-gone";
      if (res.headersSent) event.status = res.statusCode;
    }
  });
  const shaping: ResponseShaping = {};
  const ctx: FaultContext = { req, res, rng: control.rng, shaping, errorBody: service.errorBody, clientGone, now: control.now };
  for (const fault of control.takeFaults(service.name, url.pathname)) {
    event.faults.push(fault.fault.kind);
    if (fault.fault.kind === "reset") event.outcome = "reset";
    if ((await fault.fault.apply(fault.params, ctx)) === "handled") return;
  }
  const request: FakeRequest = { method: event.method, path: url.pathname, query: url.searchParams, headers: req.headers, body, event, clientGone };
  await service.handle(request, res, shaping);
}

/**
 * Every listener of the local stack (the fakes, the Worker) binds this loopback address only: the
 * stack has a fault API and insecure dev auth, so it must never be reachable from another machine.
 */
export const LOOPBACK_HOST = "127.0.0.1";

/** Starts a fake on 127.0.0.1 and a free port; faults and events go through the shared control. */
export function startFakeServer(service: FakeService, control: LabControl): Promise<FakeServer> {
  const server: Server = createServer((req, res) => {
    serveFake(service, control, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end('{"error":"fake server failure"}');
    });
  });
  server.keepAliveTimeout = 1000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, LOOPBACK_HOST, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        name: service.name,
        url: `http://${LOOPBACK_HOST}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
