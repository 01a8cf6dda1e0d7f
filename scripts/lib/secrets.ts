import { randomBytes } from "node:crypto";
import { checkSecret, secretProblemMessage } from "../../worker/src/config";
import { parseOpsToken } from "../../worker/src/ops-tokens";
import { ScriptError } from "./cli";

export const ACTIVE_SECRET = "KEY_ENCRYPTION_SECRET";
export const PREVIOUS_SECRET = "KEY_ENCRYPTION_SECRET_PREV";
export type SecretName = typeof ACTIVE_SECRET | typeof PREVIOUS_SECRET;
/** Bearer tokens for remote operations (worker/src/ops-tokens.ts): Worker secrets too. */
export const TOKEN_SECRETS = ["METRICS_TOKEN", "ADMIN_TOKEN"] as const;
export type TokenName = (typeof TOKEN_SECRETS)[number];

export function isTokenName(name: string): name is TokenName {
  return (TOKEN_SECRETS as readonly string[]).includes(name);
}

/** A token to upload: at least 32 printable characters, not a placeholder; the message never contains it. */
export function requireUploadableToken(name: TokenName, raw: string | undefined): string {
  const state = parseOpsToken(raw);
  if (!state.ok) throw new ScriptError(`refusing to set ${name}: it ${state.reason === "missing" ? "is empty" : "is shorter than 32 characters, not printable ASCII, or a placeholder"}. Generate one with \`openssl rand -base64 48\`.`);
  return state.value;
}

/** A new encryption secret: 48 random bytes, base64url (64 characters), never one the Worker would reject. */
export function generateSecret(bytes: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const secret = bytes(48).toString("base64url");
    if (checkSecret(secret, false).ok) return secret;
  }
}

/** The value to upload, validated with production rules; the message never contains the value. */
export function requireUploadableSecret(name: SecretName, raw: string | undefined): string {
  const state = checkSecret(raw, false);
  if (!state.ok) throw new ScriptError(`refusing to set ${name}: it ${secretProblemMessage(state.reason, false)}`);
  return state.value;
}

/** PREV must differ from the active secret, or rotation would keep nothing of the old one. */
export function refuseEqualSecrets(active: string | undefined, previous: string | undefined): void {
  if (active && previous && active.trim() === previous.trim()) {
    throw new ScriptError(`refusing: ${PREVIOUS_SECRET} equals ${ACTIVE_SECRET}. ${PREVIOUS_SECRET} must be the secret that was active before the rotation.`);
  }
}
