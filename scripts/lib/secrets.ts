import { randomBytes } from "node:crypto";
import { checkSecret, secretProblemMessage } from "../../worker/src/config";
import { ScriptError } from "./cli";

export const ACTIVE_SECRET = "KEY_ENCRYPTION_SECRET";
export const PREVIOUS_SECRET = "KEY_ENCRYPTION_SECRET_PREV";
export type SecretName = typeof ACTIVE_SECRET | typeof PREVIOUS_SECRET;

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
