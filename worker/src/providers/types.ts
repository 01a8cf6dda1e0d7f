import type { WorkerConfig } from "../config";
import type { Result } from "../result";
import type { ProviderName } from "../types";

/** One piece of the user turn: text, or inline media (audio for transcribe; Gemini only). */
export type ProviderPart = { text: string } | { inlineData: { mimeType: string; data: string } };

/** What an AI action asks of a provider, independent of the wire format. */
export interface ProviderRequest {
  system?: string;
  parts: ProviderPart[];
  temperature: number;
  /** Ask for a JSON answer (Gemini `responseMimeType`); the answer is still parsed tolerantly. */
  json?: boolean;
}

export interface WireRequest {
  url: string;
  init: { method: "POST"; headers: Record<string, string>; body: string };
}

/** A provider's wire format: how to build a request and how to read its answers. Pure. */
export interface ProviderAdapter {
  readonly name: ProviderName;
  buildRequest(config: WorkerConfig["providers"], apiKey: string, request: ProviderRequest): WireRequest;
  /** The answer text of a 2xx body; an error when the body carries no usable text. */
  extractText(body: unknown): Result<string, string>;
  /** Whether a 4xx answer means the key itself was refused (→ AUTH_REQUIRED). */
  isKeyRejected(status: number, body: unknown): boolean;
  /** A retry hint carried in the error body when the header is missing (Gemini RetryInfo). */
  retryAfterFromBody(body: unknown): number | null;
}

/** How one attempt ended; the retry policy and the error mapping switch on `kind`. */
export type AttemptOutcome =
  | { kind: "ok"; text: string }
  | { kind: "timeout" }
  | { kind: "network" }
  | { kind: "rate_limited"; retryAfterSec: number | null }
  | { kind: "server"; status: number; retryAfterSec: number | null }
  | { kind: "key_rejected"; status: number }
  | { kind: "rejected"; status: number }
  | { kind: "malformed"; reason: string }
  /** The request could not be built from the stored key (refused before any network I/O). */
  | { kind: "unsendable" };

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
