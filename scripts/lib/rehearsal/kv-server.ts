import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Local KV for the rehearsal: an in-memory store behind the HTTP protocol workerd's `kvNamespace`
 * binding speaks (the one Miniflare's KV object implements): GET/PUT/DELETE `/<key>` with
 * `expiration_ttl`, `CF-KV-Metadata` and `CF-Expiration`, and GET `/?prefix&cursor&key_count_limit`
 * for list. It enforces the real limits the Worker relies on (TTL ≥ 60 s, list ≤ 1000 keys).
 */
export interface KvEntry {
  value: string;
  /** Epoch seconds, as KV reports it. */
  expiration?: number;
  metadata?: unknown;
}

export interface LocalKv {
  url: string;
  entries: Map<string, KvEntry>;
  deletes: string[];
  close(): Promise<void>;
}

const MIN_TTL_SECONDS = 60;
const MAX_LIST = 1000;

function live(entries: Map<string, KvEntry>, key: string, nowSec: number): KvEntry | undefined {
  const entry = entries.get(key);
  if (entry?.expiration !== undefined && entry.expiration <= nowSec) {
    entries.delete(key);
    return undefined;
  }
  return entry;
}

async function bodyOf(message: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function handle(store: LocalKv, message: IncomingMessage, reply: ServerResponse, body: string): void {
  const url = new URL(message.url ?? "/", "http://kv.local");
  const nowSec = Math.floor(Date.now() / 1000);
  const send = (status: number, text = "", headers: Record<string, string> = {}) => {
    reply.writeHead(status, headers);
    reply.end(text);
  };
  if (url.pathname === "/" && message.method === "GET") {
    const prefix = url.searchParams.get("prefix") ?? "";
    const limit = Number(url.searchParams.get("key_count_limit") ?? MAX_LIST);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) return send(400, `Invalid key_count_limit of ${limit}`);
    const after = url.searchParams.get("cursor") ? Buffer.from(url.searchParams.get("cursor")!, "base64url").toString("utf8") : "";
    const names = [...store.entries.keys()].filter((name) => name.startsWith(prefix) && name > after && live(store.entries, name, nowSec)).sort();
    const keys = names.slice(0, limit).map((name) => {
      const entry = store.entries.get(name)!;
      return { name, ...(entry.expiration !== undefined ? { expiration: entry.expiration } : {}), ...(entry.metadata !== undefined ? { metadata: JSON.stringify(entry.metadata) } : {}) };
    });
    const complete = names.length <= limit;
    return send(200, JSON.stringify(complete ? { keys, list_complete: true } : { keys, list_complete: false, cursor: Buffer.from(keys.at(-1)!.name).toString("base64url") }), { "content-type": "application/json" });
  }
  const rawKey = url.pathname.slice(1);
  const key = url.searchParams.get("urlencoded") === "true" ? decodeURIComponent(rawKey) : rawKey;
  switch (message.method) {
    case "GET": {
      const entry = live(store.entries, key, nowSec);
      if (!entry) return send(404, "Not Found");
      const headers: Record<string, string> = {};
      if (entry.expiration !== undefined) headers["CF-Expiration"] = String(entry.expiration);
      if (entry.metadata !== undefined) headers["CF-KV-Metadata"] = JSON.stringify(entry.metadata);
      return send(200, entry.value, headers);
    }
    case "PUT": {
      const ttl = url.searchParams.get("expiration_ttl");
      if (ttl !== null && !(Number(ttl) >= MIN_TTL_SECONDS)) return send(400, `Invalid expiration_ttl of ${ttl}. Expiration TTL must be at least ${MIN_TTL_SECONDS}.`);
      const expiration = url.searchParams.get("expiration");
      const metadata = message.headers["cf-kv-metadata"];
      store.entries.set(key, {
        value: body,
        ...(ttl !== null ? { expiration: nowSec + Number(ttl) } : expiration !== null ? { expiration: Number(expiration) } : {}),
        ...(typeof metadata === "string" ? { metadata: JSON.parse(metadata) as unknown } : {}),
      });
      return send(200);
    }
    case "DELETE":
      store.deletes.push(key);
      store.entries.delete(key);
      return send(200);
    default:
      return send(405, "Method Not Allowed");
  }
}

export async function startLocalKv(): Promise<LocalKv> {
  const store: LocalKv = { url: "", entries: new Map(), deletes: [], close: async () => undefined };
  const server = createServer((message, reply) => {
    void bodyOf(message)
      .then((body) => handle(store, message, reply, body))
      .catch(() => {
        reply.writeHead(500);
        reply.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  store.url = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  store.close = () => new Promise((resolve) => server.close(() => resolve()));
  return store;
}
