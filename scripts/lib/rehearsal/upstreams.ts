import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getResponse, type HttpHandler } from "msw";
import type { MockNetwork } from "../../../worker/conformance/fakes";

/**
 * The external services the rehearsal rewrites to: real sockets on 127.0.0.1 that answer with the
 * conformance suite's own msw handlers (the lab's fakes and fault table, and a JWKS), so each case
 * programs them exactly as it does in-process. A request no handler answers gets 599 and is
 * recorded, so a case cannot pass on an unexpected upstream call.
 */
export interface Upstream {
  /** The origin the Worker is pointed at. */
  url: string;
  /** The origin the handlers are written for (the backend handler matches a fixed origin). */
  handlerOrigin: string;
}

export interface LocalUpstreams extends MockNetwork {
  backend: Upstream;
  providers: Upstream;
  clerk: Upstream;
  /** Handlers that survive resetHandlers (the JWKS). */
  permanent(...handlers: HttpHandler[]): void;
  unhandled: string[];
  close(): Promise<void>;
}

async function toFetchRequest(message: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (typeof value === "string") headers.set(name, value);
    else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
  }
  const body = chunks.length > 0 && message.method !== "GET" && message.method !== "HEAD" ? Buffer.concat(chunks) : undefined;
  return new Request(`${origin}${message.url ?? "/"}`, { method: message.method, headers, ...(body ? { body } : {}) });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function startUpstreams(backendHandlerOrigin: string): Promise<LocalUpstreams> {
  let handlers: HttpHandler[] = [];
  let fixed: HttpHandler[] = [];
  const unhandled: string[] = [];
  const servers: Server[] = [];
  const serve = async (handlerOrigin: (own: string) => string): Promise<Upstream> => {
    let own = "";
    const server = createServer((message, reply) => {
      void (async () => {
        const request = await toFetchRequest(message, handlerOrigin(own));
        const response = await getResponse([...handlers, ...fixed], request);
        if (!response || response.type === "error") {
          if (!response) unhandled.push(`${request.method} ${request.url}`);
          reply.destroy();
          return;
        }
        const headers: Record<string, string | string[]> = {};
        response.headers.forEach((value, name) => (headers[name] = name === "set-cookie" ? response.headers.getSetCookie() : value));
        reply.writeHead(response.status, headers);
        if (response.body) for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) reply.write(chunk);
        reply.end();
      })().catch(() => reply.destroy());
    });
    servers.push(server);
    own = await listen(server);
    return { url: own, handlerOrigin: handlerOrigin(own) };
  };
  const backend = await serve(() => backendHandlerOrigin);
  const providers = await serve((own) => own);
  const clerk = await serve((own) => own);
  return {
    backend,
    providers,
    clerk,
    unhandled,
    use: (...next) => void (handlers = [...next, ...handlers]),
    resetHandlers: () => void (handlers = []),
    permanent: (...next) => void (fixed = [...fixed, ...next]),
    close: async () => {
      for (const server of servers) server.closeAllConnections();
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}
