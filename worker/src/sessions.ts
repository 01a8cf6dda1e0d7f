// PLACEHOLDER — owned by the auth/sessions helper; replaced with the real implementation.
import type { RequestContext } from "./context";
import { ApiError } from "./errors";
import type { Credential, Identity } from "./types";

/**
 * Loads and decrypts the stored provider key for an identity (account record for a user, session
 * record for a device). Throws AUTH_REQUIRED when nothing is stored, AUTH_EXPIRED when the record is
 * expired or cannot be decrypted (and deletes it), SERVICE_UNAVAILABLE kv_unavailable on KV failure,
 * CONFIG_ERROR when the encryption secret is unusable (without touching KV).
 */
export async function loadCredential(_ctx: RequestContext, _identity: Identity): Promise<Credential> {
  throw new ApiError("AUTH_REQUIRED", "Connect an API key first.");
}
