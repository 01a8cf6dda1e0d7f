import type { ServerResponse } from "node:http";
import type { ResponseShaping } from "../faults/types";
import type { FakeRequest } from "../server";

/** Sends JSON (broken on purpose when a malformed-json fault shaped the answer); echoes x-request-id. */
export function sendJson(
  request: FakeRequest,
  res: ServerResponse,
  status: number,
  body: unknown,
  shaping: ResponseShaping,
  extraHeaders: Record<string, string | string[]> = {},
): void {
  const headers: Record<string, string | string[]> = { "content-type": "application/json; charset=utf-8", ...extraHeaders };
  const requestId = request.headers["x-request-id"];
  if (typeof requestId === "string") headers["x-request-id"] = requestId;
  res.writeHead(status, headers);
  const text = JSON.stringify(body);
  res.end(shaping.malformedJson ? text.slice(0, Math.max(1, Math.floor(text.length / 2))) : text);
}

export function parseJsonBody(request: FakeRequest): unknown {
  try {
    return JSON.parse(request.body.toString("utf8"));
  } catch {
    return null;
  }
}
