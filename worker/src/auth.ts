// PLACEHOLDER — owned by the auth/sessions helper; replaced with the real implementation.
import type { RequestContext } from "./context";
import type { Identity } from "./types";

/**
 * Who the request acts for (SPEC §3.4): a verified bearer JWT → user; otherwise the device session
 * cookie (a well-formed uuid, not yet looked up in KV) → session; otherwise anon. An invalid token
 * falls back to the cookie scope. Throws ApiError AUTH_CONFIG_INVALID for a bearer with a
 * partial/invalid Clerk config.
 */
export async function resolveIdentity(_ctx: RequestContext): Promise<Identity> {
  return { kind: "anon" };
}
