import type { RequestContext } from "./context";
import { ApiError } from "./errors";
import { assertOriginAllowed } from "./origin";

/** JSON request bodies of /api/v1 routes are capped at 128 KiB (docs/api.md#routes). */
export const MAX_JSON_BODY_BYTES = 128 * 1024;

export function assertJsonContentType(request: Request): void {
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") {
    throw new ApiError("BAD_REQUEST", "Content-Type must be application/json", { status: 415 });
  }
}

/** Content-Type and Origin checks every state-changing route runs before anything else. */
export function assertStateChangeAllowed(ctx: RequestContext): void {
  assertJsonContentType(ctx.request);
  assertOriginAllowed(ctx);
}

/** Reads at most `limit` bytes; null when the body is larger (without buffering the rest). */
export async function readBodyWithin(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const lengthHeader = request.headers.get("content-length");
  const declared = lengthHeader === null ? Number.NaN : Number(lengthHeader);
  if (Number.isFinite(declared) && declared > limit) return null;
  if (!request.body) return new Uint8Array(0);
  if (Number.isFinite(declared)) {
    // A declared length within the limit: let the runtime buffer natively (far cheaper in workerd
    // than pulling chunks through JS), then re-check in case the body lied about its length.
    const bytes = new Uint8Array(await request.arrayBuffer());
    return bytes.byteLength > limit ? null : bytes;
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Parses a JSON object body: > 128 KiB → 413, invalid → 400, empty → {}. */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  const bytes = await readBodyWithin(request, MAX_JSON_BODY_BYTES);
  if (bytes === null) {
    // The original answers 413 with code BAD_REQUEST: the PocketBrain client knows no PAYLOAD_TOO_LARGE here.
    throw new ApiError("BAD_REQUEST", "Request body too large", { status: 413 });
  }
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError("BAD_REQUEST", "Invalid JSON body");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ApiError("BAD_REQUEST", "Request body must be a JSON object.");
  }
  return parsed as Record<string, unknown>;
}
