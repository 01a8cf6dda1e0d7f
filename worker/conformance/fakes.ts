import { delay, http, HttpResponse, type HttpHandler } from "msw";
import { geminiError, geminiReply } from "../../fault-lab/src/fakes/gemini-wire";
import { openrouterError, openrouterReply } from "../../fault-lab/src/fakes/openrouter-wire";
import type { KvStore } from "../src/env";
import type { BackendReply, ProviderReply } from "./types";

/** Plaintext keys the suite connects with; none may ever appear in KV or a response. */
export const GEMINI_KEY = "AIza-conformance-gemini-key-0a1b2c3d";
export const OPENROUTER_KEY = "sk-or-v1-conformance-openrouter-key-4e5f6a7b";
export const PLAINTEXT_KEYS = [GEMINI_KEY, OPENROUTER_KEY];

/** The fake backend's origin (msw answers for it; nothing listens there). */
export const BACKEND_ORIGIN = "http://127.0.0.1:8620";
/** A public, non-loopback Worker host (cookie keeps Secure, metrics are hidden). */
export const PUBLIC = "https://pb.example.org";
/** A loopback Worker host over plain http (local dev: cookie drops Secure). */
export const LOCAL = "http://127.0.0.1";

export interface ProviderBases {
  gemini: string;
  openrouter: string;
}

/** The slice of msw's setupServer the suite needs (the runners own listen/close). */
export interface MockNetwork {
  use(...handlers: HttpHandler[]): void;
  resetHandlers(): void;
}

export interface SeenUpstream {
  method: string;
  url: string;
  headers: Headers;
}

/** Real provider error bodies (Gemini's `status` string, OpenRouter's numeric code), from the lab's wire modules. */
const errorBody = (provider: keyof ProviderBases, status: number) => (provider === "openrouter" ? openrouterError(status) : geminiError(status));

async function providerResponse(provider: keyof ProviderBases, reply: ProviderReply, onHang: () => void): Promise<Response> {
  if ("hang" in reply) {
    onHang();
    await delay("infinite");
    return HttpResponse.json({});
  }
  if ("text" in reply) return HttpResponse.json((provider === "gemini" ? geminiReply(reply.text) : openrouterReply(reply.text, { id: "gen-conformance" })));
  return HttpResponse.json(errorBody(provider, reply.status), { status: reply.status, ...(reply.headers ? { headers: reply.headers } : {}) });
}

/**
 * Both providers' endpoints (docs/api.md#ai-providers URLs), answering `reply` and recording every call. A hanging
 * provider calls `onHang` once it has the request (the target lets the Worker's attempt timer fire).
 */
export function providerHandlers(bases: ProviderBases, reply: ProviderReply, seen: SeenUpstream[], onHang: () => void = () => undefined): HttpHandler[] {
  const endpoint = (provider: keyof ProviderBases, url: string) =>
    http.post(url, ({ request }) => {
      seen.push({ method: request.method, url: request.url, headers: request.headers });
      return providerResponse(provider, reply, onHang);
    });
  return [
    endpoint("gemini", `${bases.gemini}/v1beta/models/gemini-2.5-flash:generateContent`),
    endpoint("openrouter", `${bases.openrouter}/api/v1/chat/completions`),
  ];
}

/** The fake backend for /api/v2 passthrough, recording every attempt. */
export function backendHandler(reply: BackendReply, seen: SeenUpstream[]): HttpHandler {
  return http.all(`${BACKEND_ORIGIN}/*`, ({ request }) => {
    seen.push({ method: request.method, url: request.url, headers: request.headers });
    if ("networkError" in reply) return HttpResponse.error();
    return new HttpResponse(reply.body ?? null, { status: reply.status, ...(reply.headers ? { headers: reply.headers } : {}) });
  });
}

/** A Clerk JWKS endpoint that fails with `status`, recording every fetch. */
export function failingJwksHandler(url: string, status: number, seen: SeenUpstream[]): HttpHandler {
  return http.get(url, ({ request }) => {
    seen.push({ method: request.method, url: request.url, headers: request.headers });
    return HttpResponse.json({ error: "jwks unavailable (conformance fake)" }, { status });
  });
}

/** A KV binding in an outage: every operation rejects, as a real KV call can. */
export function failingKv(): KvStore {
  const outage = async (): Promise<never> => {
    throw new Error("KV unavailable (conformance outage)");
  };
  return { get: outage, put: outage, delete: outage };
}
