import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from "jose";
import { http, HttpResponse, type HttpHandler } from "msw";
import type { LabNetwork, MswServer } from "../../fault-lab/src/adapters/msw";
import { realDeps, type Deps } from "../src/deps";
import type { KvStore, WorkerEnv } from "../src/env";
import { installProviderFakes } from "./ai-helpers";
import { createVirtualTimers } from "./virtual-timers";

export const CLERK_ISSUER = "https://clerk.pocketbrain.test";
export const CLERK_AUDIENCE = "pocketbrain-web";

export const GEMINI_ROUTE = "/v1beta/models/gemini-2.5-flash:generateContent";

/**
 * The lab's Gemini and OpenRouter fakes on a test's msw server, at the bases `makeEnv` points the
 * Worker at: they answer the connect validation ping with "OK" and refuse keys containing "invalid";
 * any other answer is a fault rule on `network.control`. Install it per test (`server.resetHandlers`
 * drops it). No auth test makes a fake wait, so its clock is virtual timers nobody drives.
 */
export function installProviderLab(server: MswServer): LabNetwork {
  return installProviderFakes(server, createVirtualTimers(Date.now()));
}

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

export async function createSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
}

export interface JwksEndpoint {
  handler: HttpHandler;
  fetches(): number;
  setKeys(next: SigningKey[]): void;
  /** Answers this status without a key list from now on; `null` serves the keys again. */
  failWith(status: number | null): void;
}

/**
 * A JWKS endpoint whose key list a test can change, counting how often it is fetched. Clerk's JWKS
 * is not one of the lab's fakes, so this stays a hand-written msw handler.
 */
export function jwksEndpoint(url: string, keys: SigningKey[]): JwksEndpoint {
  let current = keys;
  let failure: number | null = null;
  let fetches = 0;
  return {
    handler: http.get(url, () => {
      fetches += 1;
      return failure === null ? HttpResponse.json({ keys: current.map((key) => key.jwk) }) : new HttpResponse(null, { status: failure });
    }),
    fetches: () => fetches,
    setKeys(next) {
      current = next;
    },
    failWith(status) {
      failure = status;
    },
  };
}

export interface TokenOptions {
  issuer?: string;
  audience?: string;
  sub?: string | null;
  /** Seconds since epoch; default one hour after `nowMs`. */
  exp?: number | null;
  nowMs?: number;
  kid?: string;
  extra?: JWTPayload;
}

export async function signToken(key: SigningKey, options: TokenOptions = {}): Promise<string> {
  const nowSec = Math.floor((options.nowMs ?? Date.now()) / 1000);
  const jwt = new SignJWT({ ...options.extra })
    .setProtectedHeader({ alg: "RS256", kid: options.kid ?? key.kid })
    .setIssuer(options.issuer ?? CLERK_ISSUER)
    .setAudience(options.audience ?? CLERK_AUDIENCE)
    .setIssuedAt(nowSec);
  if (options.sub !== null) jwt.setSubject(options.sub ?? "user_2abc");
  if (options.exp !== null) jwt.setExpirationTime(options.exp ?? nowSec + 3600);
  return jwt.sign(key.privateKey);
}

/** An unsigned ("alg":"none") token, as insecure dev auth accepts on loopback. */
export function unsignedToken(payload: JWTPayload): string {
  const encode = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `${encode({ alg: "none", typ: "JWT" })}.${encode(payload)}.`;
}

export function clerkEnv(jwksUrl: string): Partial<WorkerEnv> {
  return { CLERK_JWKS_URL: jwksUrl, CLERK_ISSUER, CLERK_AUDIENCE };
}

/** A manual clock: time moves only when the test says so. */
export function manualDeps(startMs = Date.parse("2026-06-01T12:00:00Z")): Deps & { advance(ms: number): void; set(ms: number): void } {
  let now = startMs;
  return {
    ...realDeps,
    now: () => now,
    advance(ms) {
      now += ms;
    },
    set(ms) {
      now = ms;
    },
  };
}

/** Wraps a KV so a test can assert that a code path made no KV call at all. */
export function countingKv<T extends KvStore>(kv: T): T & { calls: string[] } {
  const calls: string[] = [];
  return Object.assign(Object.create(kv) as T, {
    calls,
    get: (key: string) => (calls.push(`get ${key}`), kv.get(key)),
    put: (key: string, value: string, options?: { expirationTtl?: number }) => (calls.push(`put ${key}`), kv.put(key, value, options)),
    delete: (key: string) => (calls.push(`delete ${key}`), kv.delete(key)),
  });
}

const ORIGIN = "http://127.0.0.1:8787";

export function connectRequest(body: unknown, init: { origin?: string; headers?: Record<string, string> } = {}): Request {
  return new Request(`${init.origin ?? ORIGIN}/api/v1/auth/connect`, {
    method: "POST",
    headers: { "content-type": "application/json", ...init.headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export function statusRequest(headers: Record<string, string> = {}, origin = ORIGIN): Request {
  return new Request(`${origin}/api/v1/auth/status`, { headers });
}

export function disconnectRequest(headers: Record<string, string> = {}, origin = ORIGIN): Request {
  return new Request(`${origin}/api/v1/auth/disconnect`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: "{}" });
}

/** `pb_ai_session=<uuid>` from a Set-Cookie header, ready to send back as a Cookie header. */
export function sessionCookieFrom(response: Response): string {
  const setCookie = response.headers.get("set-cookie") ?? "";
  const pair = setCookie.split(";")[0] ?? "";
  if (!pair.startsWith("pb_ai_session=")) throw new Error("response did not set the session cookie");
  return pair;
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
