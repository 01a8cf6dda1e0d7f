// PLACEHOLDER — owned by the providers/AI helper; replaced with the real implementation.
import type { RequestContext } from "../context";
import type { Credential } from "../types";

/**
 * Validates a key with one cheap provider call (SPEC §3.2 connect): resolves when the reply contains
 * OK; throws ApiError AUTH_REQUIRED "API key validation failed" otherwise, or the mapped provider
 * error (timeout, network, 5xx, 429, circuit open).
 */
export async function validateProviderKey(_ctx: RequestContext, _credential: Credential): Promise<void> {}
