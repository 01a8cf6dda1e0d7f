import { GEMINI_KEY, LOCAL, OPENROUTER_KEY } from "../fakes";
import type { CookieExpectation, ErrorExpectation, Expectation, Step } from "../types";

export type Provider = "gemini" | "openrouter";
export const keyFor = (provider: Provider): string => (provider === "gemini" ? GEMINI_KEY : OPENROUTER_KEY);

let clientSeq = 0;
/**
 * A documentation-range client IP, new for each connect step: the connect limit (docs/api.md#rate-limiting, 45/60 s
 * per identity + IP, `anon` on connect) must not couple unrelated cases that run in one storage.
 */
export function freshClientIp(): string {
  clientSeq += 1;
  return `198.51.${100 + Math.floor(clientSeq / 250)}.${(clientSeq % 250) + 1}`;
}

/** A device connect whose validation ping the fake provider answers with OK. */
export function connectStep(provider: Provider, host = LOCAL): Step {
  return {
    request: {
      url: `${host}/api/v1/auth/connect`,
      json: { provider, apiKey: keyFor(provider) },
      headers: { "cf-connecting-ip": freshClientIp() },
    },
    provider: { text: "OK" },
    status: 200,
  };
}

export const disconnectStep = (host = LOCAL): Step => ({ request: { url: `${host}/api/v1/auth/disconnect`, method: "POST", session: true }, status: 200 });

/** docs/api.md#key-storage-and-rotation cookie attributes; `Secure` only off for http localhost/127.0.0.1. */
export function sessionCookie(maxAge: number, secure: boolean, value: CookieExpectation["value"] = "uuid"): CookieExpectation {
  return { value, attributes: ["HttpOnly", ...(secure ? ["Secure"] : []), "Path=/", `Max-Age=${maxAge}`, "SameSite=Lax"] };
}

export const failure = (status: number, error: ErrorExpectation): Expectation => ({ status, error });
