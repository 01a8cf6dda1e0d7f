import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { WorkerEnv } from "../../worker/src/env";
import { handleRequest } from "../../worker/src/index";

/** How the test server presents requests to the Worker: as a public host, so metrics need METRICS_TOKEN. */
export const PUBLIC_ORIGIN = "https://pb.example.org";

async function toRequest(message: IncomingMessage): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) if (typeof value === "string") headers.set(name, value);
  const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
  return new Request(`${PUBLIC_ORIGIN}${message.url ?? "/"}`, { method: message.method, headers, ...(body ? { body } : {}) });
}

/**
 * The Worker's real handler on a 127.0.0.1 port (plain Node, Map-backed KV), standing in for a
 * deployed Worker. `env()` is read on every request, so a test can "deploy" a secret mid-run.
 */
export async function startLocalWorker(env: () => WorkerEnv): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((message, reply) => {
    void (async () => {
      const response = await handleRequest(await toRequest(message), env());
      reply.writeHead(response.status, Object.fromEntries(response.headers));
      reply.end(Buffer.from(await response.arrayBuffer()));
    })().catch(() => {
      reply.writeHead(500);
      reply.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
