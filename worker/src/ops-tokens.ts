/**
 * Bearer tokens for remote operations (docs/api.md): `METRICS_TOKEN` opens GET /api/v1/metrics to a
 * caller that is not local, `ADMIN_TOKEN` opens the re-seal sweep. Both are Worker secrets. A token
 * shorter than 32 characters or a placeholder is ignored (the route stays closed) and reported.
 */
export const MIN_OPS_TOKEN_LENGTH = 32;
const PLACEHOLDER = /replace-with|your-|example|changeme|change-me/i;

export type OpsTokenState = { ok: true; value: string } | { ok: false; reason: "missing" | "weak" };

/** Parses one token variable. Pure. */
export function parseOpsToken(raw: unknown): OpsTokenState {
  if (typeof raw !== "string" || raw.trim() === "") return { ok: false, reason: "missing" };
  const value = raw.trim();
  if (value.length < MIN_OPS_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(value) || PLACEHOLDER.test(value)) return { ok: false, reason: "weak" };
  return { ok: true, value };
}

const encoder = new TextEncoder();

/**
 * Equal-length byte compare whose time does not depend on where the inputs differ. Both inputs are
 * SHA-256 digests, so their length says nothing about the token.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

const digest = async (text: string): Promise<Uint8Array> => new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));

/** The token in `Authorization: Bearer <token>`, else null. Pure. */
export function bearerToken(header: string | null): string | null {
  const match = /^Bearer[ ]+([^\s]+)[ ]*$/i.exec(header ?? "");
  return match ? match[1]! : null;
}

/**
 * Whether `authorization` presents `expected` as a bearer token. The presented and expected tokens
 * are hashed first and the digests compared in constant time (`equal` is injectable for the test
 * that proves it is used), so neither the length nor the first differing byte leaks.
 */
export async function presentsToken(
  authorization: string | null,
  expected: OpsTokenState,
  equal: (a: Uint8Array, b: Uint8Array) => boolean = constantTimeEqual,
): Promise<boolean> {
  if (!expected.ok) return false;
  const presented = bearerToken(authorization);
  if (presented === null) return false;
  const [left, right] = await Promise.all([digest(presented), digest(expected.value)]);
  return equal(left, right);
}
