import type { ResponseShaping } from "../faults/types";

/** A JSON answer (broken on purpose when a malformed-json fault shaped it) that echoes x-request-id. */
export function jsonResponse(
  request: Request,
  status: number,
  body: unknown,
  shaping: ResponseShaping,
  extraHeaders: Record<string, string | string[]> = {},
): Response {
  const headers = new Headers({ "content-type": "application/json; charset=utf-8" });
  for (const [name, value] of Object.entries(extraHeaders)) for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  const requestId = request.headers.get("x-request-id");
  if (requestId !== null) headers.set("x-request-id", requestId);
  const text = JSON.stringify(body);
  return new Response(shaping.malformedJson ? text.slice(0, Math.max(1, Math.floor(text.length / 2))) : text, { status, headers });
}

/** The request body as JSON, or null when it is not JSON. */
export async function readJsonBody(request: Request): Promise<unknown> {
  try {
    return JSON.parse(await request.text());
  } catch {
    return null;
  }
}
