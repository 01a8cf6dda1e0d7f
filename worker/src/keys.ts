/** Every KV and Durable Object key is built here (docs/storage-schema.md). */
export const SESSION_PREFIX = "session:";
export const ACCOUNT_PREFIX = "account:";

export const sessionKey = (sessionId: string): string => `${SESSION_PREFIX}${sessionId}`;
export const accountKey = (userId: string): string => `${ACCOUNT_PREFIX}${userId}`;

/** Durable Object instance name: one global control plane. */
export const CONTROL_PLANE_NAME = "global";
export const RATE_LIMIT_PREFIX = "rl:";
/** Rate-limit bucket for one identity + client IP (SPEC §3.7). */
export const rateLimitKey = (identity: string, clientIp: string): string => `${RATE_LIMIT_PREFIX}${identity}|${clientIp}`;
/** Provider breaker snapshot in DO storage. */
export const providerBreakerKey = (provider: string): string => `breaker:${provider}`;
/**
 * Durable Object instance name for one rate-limit bucket: each bucket gets its own object, so the
 * limiter has no global hot spot (decision 0002). Provider breakers stay in CONTROL_PLANE_NAME.
 */
export const rateLimitObjectName = (bucketKey: string): string => bucketKey;
