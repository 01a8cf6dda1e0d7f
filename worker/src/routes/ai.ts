import { prepareAiAction, type AiAction } from "../ai";
import { loadCredential } from "../sessions";
import { resolveIdentity } from "../auth";
import { assertStateChangeAllowed, readJsonObject } from "../body";
import type { RequestContext } from "../context";
import { enforceRateLimit } from "../control-plane-client";
import { ApiError } from "../errors";
import { jsonResponse } from "../http";

export { AI_ACTIONS, isAiAction, type AiAction } from "../ai";

/**
 * POST /api/v1/ai/{action} (SPEC §3.2). Order matters: cheap refusals first (content type, Origin,
 * no identity, rate limit), then the body is validated before the stored key is decrypted, so a bad
 * request never touches KV or the provider.
 */
export async function handleAiAction(ctx: RequestContext, action: AiAction): Promise<Response> {
  assertStateChangeAllowed(ctx);
  const identity = await resolveIdentity(ctx);
  if (identity.kind === "anon") throw new ApiError("AUTH_REQUIRED", "Connect an API key first.");
  await enforceRateLimit(ctx, identity);
  const run = prepareAiAction(action, await readJsonObject(ctx.request));
  const credential = await loadCredential(ctx, identity);
  return jsonResponse(await run(ctx, credential), ctx.requestId);
}
