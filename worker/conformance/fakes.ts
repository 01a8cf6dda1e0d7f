import { http, HttpResponse, type HttpHandler } from "msw";
import { installLabNetwork, type LabNetwork } from "../../fault-lab/src/adapters/msw";
import type { Clock } from "../../fault-lab/src/clock/clock";
import type { FaultRule } from "../../fault-lab/src/control/lab-control";
import { geminiReply } from "../../fault-lab/src/fakes/gemini-wire";
import { openrouterReply } from "../../fault-lab/src/fakes/openrouter-wire";
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

/** A JWKS fetch as the failing Clerk endpoint received it. */
export interface SeenUpstream {
  method: string;
  url: string;
  headers: Headers;
}

const PROVIDERS = ["gemini", "openrouter"] as const;

/** The fault rules that make the lab's fake providers answer `reply` on every call. */
function providerRules(reply: ProviderReply): FaultRule[] {
  if ("text" in reply) {
    return [
      { route: "*", server: "gemini", faults: [{ kind: "status", status: 200, body: geminiReply(reply.text) }] },
      { route: "*", server: "openrouter", faults: [{ kind: "status", status: 200, body: openrouterReply(reply.text, { id: "gen-conformance" }) }] },
    ];
  }
  return PROVIDERS.map((server) => ({ route: "*", server, faults: [reply] }));
}

export interface StepReplies {
  provider?: ProviderReply;
  backend?: BackendReply;
}

/**
 * A fresh lab network for one step (docs/api.md#ai-providers URLs, the /api/v2 backend): the lab's
 * fakes answer, the step's replies are fault rules in front of them. A hanging provider calls
 * `onProviderHang` once it has the request (the target lets the Worker's attempt timer fire).
 */
export function stepNetwork(network: MockNetwork, bases: ProviderBases, clock: Clock, replies: StepReplies, onProviderHang: () => void): LabNetwork {
  const hangs = replies.provider !== undefined && "kind" in replies.provider && replies.provider.kind === "hang";
  const lab = installLabNetwork(network, {
    clock,
    // Each provider's API root, not its bare origin: the workerd config and the rehearsal serve both providers from one origin.
    origins: { backend: BACKEND_ORIGIN, gemini: `${bases.gemini}/v1beta`, openrouter: `${bases.openrouter}/api/v1` },
    onRequest: (server) => {
      if (hangs && server !== "backend") onProviderHang();
    },
  });
  const backendRules: FaultRule[] = replies.backend ? [{ route: "*", server: "backend", faults: [replies.backend] }] : [];
  const rules = [...(replies.provider ? providerRules(replies.provider) : []), ...backendRules];
  lab.addRules(...rules);
  return lab;
}

/** A Clerk JWKS endpoint that fails with `status`, recording every fetch (Clerk is not one of the lab's fakes: its own msw handler). */
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
