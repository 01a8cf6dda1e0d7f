import { prepareAiAction, type AiAction } from "../ai";
import { cookieIdentity, resolveBearerUser } from "../auth";
import { assertStateChangeAllowed, readJsonObject } from "../body";
import type { RequestContext } from "../context";
import { enforceRateLimit } from "../control-plane-client";
import { jsonResponse } from "../http";
import { requireKeyring, resolveCredential } from "../sessions";

export { AI_ACTIONS, isAiAction, type AiAction } from "../ai";

/**
 * POST /api/v1/ai/{action}, in the original worker's order (docs/api.md): content type and Origin →
 * encryption secret → bearer (Clerk config) → stored credential → rate limit keyed by the
 * credential's identity → body → validation → provider. The limiter runs only after the cookie
 * resolved to a stored session, so a made-up cookie is not a fresh bucket (and creates no bucket).
 */
export async function handleAiAction(ctx: RequestContext, action: AiAction): Promise<Response> {
  assertStateChangeAllowed(ctx);
  const keyring = requireKeyring(ctx);
  const sub = await resolveBearerUser(ctx);
  const { credential, identity } = await resolveCredential(ctx, keyring, sub, cookieIdentity(ctx.request));
  await enforceRateLimit(ctx, identity);
  const run = prepareAiAction(action, await readJsonObject(ctx.request));
  return jsonResponse(await run(ctx, credential), ctx.requestId);
}
