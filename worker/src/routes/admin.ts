import { assertJsonContentType, readJsonObject } from "../body";
import type { RequestContext } from "../context";
import { ApiError } from "../errors";
import { jsonResponse } from "../http";
import { log } from "../log";
import { presentsToken } from "../ops-tokens";
import { MAX_SWEEP_LIMIT, parseSweepCursor, sweepPage, type SweepDeps } from "../rotation-sweep";
import { requireKeyring } from "../sessions";

const DEFAULT_LIMIT = 100;
const MAX_CURSOR_LENGTH = 2048;

/** Validates the sweep body `{cursor?, limit?, dryRun?}`; the message names the field. Pure. */
export function parseSweepBody(body: Record<string, unknown>): { cursor: string | null; limit: number; dryRun: boolean } {
  const cursor = body.cursor ?? null;
  if (cursor !== null && (typeof cursor !== "string" || cursor.length > MAX_CURSOR_LENGTH || parseSweepCursor(cursor) === null)) {
    throw new ApiError("BAD_REQUEST", "cursor must be the cursor a previous sweep page returned, or null.");
  }
  const limit = body.limit ?? DEFAULT_LIMIT;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_SWEEP_LIMIT) {
    throw new ApiError("BAD_REQUEST", `limit must be an integer from 1 to ${MAX_SWEEP_LIMIT}.`);
  }
  const dryRun = body.dryRun ?? false;
  if (typeof dryRun !== "boolean") throw new ApiError("BAD_REQUEST", "dryRun must be a boolean.");
  return { cursor, limit, dryRun };
}

const kvUnavailable = () => new ApiError("SERVICE_UNAVAILABLE", "Session storage is unavailable.", { cause: "kv_unavailable", retryAfterSec: 5, internal: "KV list/get/put failed during the re-seal sweep" });

/**
 * POST /api/v1/admin/reseal — one page of the rotation's re-seal sweep (docs/decisions/0005).
 * Only for a caller presenting `Authorization: Bearer <ADMIN_TOKEN>`; anyone else gets the 404 of an
 * unknown route, so the route's existence is not advertised.
 */
export async function handleReseal(ctx: RequestContext): Promise<Response> {
  if (!(await presentsToken(ctx.request.headers.get("authorization"), ctx.config.adminToken))) throw new ApiError("NOT_FOUND", "Route not found");
  assertJsonContentType(ctx.request);
  const options = parseSweepBody(await readJsonObject(ctx.request));
  const keyring = requireKeyring(ctx);
  const kv = ctx.env.AI_SESSIONS;
  if (!kv || typeof kv.list !== "function") throw kvUnavailable();
  const deps: SweepDeps = { kv: kv as SweepDeps["kv"], keyring, now: ctx.deps.now, sessionTtlSeconds: ctx.config.sessionTtlSeconds };
  let page;
  try {
    page = await sweepPage(deps, options);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw kvUnavailable();
  }
  const { cursor: _cursor, ...counts } = page;
  log("info", "reseal_page", { requestId: ctx.requestId, dryRun: options.dryRun, ...counts });
  return jsonResponse({ ...page, dryRun: options.dryRun }, ctx.requestId);
}
