import type { RequestContext } from "../context";
import { ApiError } from "../errors";
import type { Credential } from "../types";
import { runProviderRequest } from "./call";
import { outcomeToError } from "./retry-policy";
import type { ProviderRequest } from "./types";

export { adapterFor, callProvider, runProviderRequest } from "./call";
export { unreadableAnswer } from "./retry-policy";
export type { ProviderPart, ProviderRequest } from "./types";

const VALIDATION_PING: ProviderRequest = {
  parts: [{ text: "Reply with exactly OK and nothing else." }],
  temperature: 0,
};

const validationFailed = (internal: string): ApiError => new ApiError("AUTH_REQUIRED", "API key validation failed", { internal });

/**
 * Validates a key with one cheap provider call (SPEC §3.2 connect): resolves when the reply contains
 * OK; throws ApiError AUTH_REQUIRED "API key validation failed" when the key is refused or the reply
 * is not OK, or the mapped provider error (timeout, network, 5xx, 429, circuit open).
 */
export async function validateProviderKey(ctx: RequestContext, credential: Credential): Promise<void> {
  const outcome = await runProviderRequest(ctx, credential, VALIDATION_PING);
  switch (outcome.kind) {
    case "ok":
      // The original worker's rule: the reply, upper-cased, contains OK ("Okay." passes).
      if (!outcome.text.toUpperCase().includes("OK")) throw validationFailed("validation reply did not contain OK");
      return;
    case "key_rejected":
      throw validationFailed(`provider refused the key (${outcome.status})`);
    case "malformed":
      throw validationFailed(`validation reply unreadable: ${outcome.reason}`);
    case "unsendable":
      throw validationFailed("key cannot be sent (invalid header value)");
    default:
      throw outcomeToError(outcome, credential.provider);
  }
}
