/** Shared domain types used across routes, stores and the control plane. */
export const PROVIDERS = ["gemini", "openrouter"] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export const isProviderName = (value: unknown): value is ProviderName =>
  typeof value === "string" && (PROVIDERS as readonly string[]).includes(value);

/** Who a request acts for: a verified Clerk user, a device session (cookie), or nobody yet. */
/** `ambiguous`: the session cookie was sent more than once (cookie tossing), so no session is used. */
export type Identity = { kind: "user"; sub: string } | { kind: "session"; sessionId: string } | { kind: "anon"; ambiguous?: true };

/** Rate-limit identity string (docs/api.md#rate-limiting): `user:<sub>`, `session:<uuid>` or `anon`. */
export function identityLabel(identity: Identity): string {
  switch (identity.kind) {
    case "user":
      return `user:${identity.sub}`;
    case "session":
      return `session:${identity.sessionId}`;
    case "anon":
      return "anon";
  }
}

/** A decrypted provider key, only ever held in memory for the duration of one request. */
export interface Credential {
  provider: ProviderName;
  apiKey: string;
}
