import type { RequestContext } from "../context";
import { parseTolerantJson } from "../json-tolerant";
import { unreadableAnswer } from "../providers";
import { ok, type Result } from "../result";
import type { Credential } from "../types";

/** A validated action, ready to run with the caller's credential. */
export type PreparedAction = (ctx: RequestContext, credential: Credential) => Promise<unknown>;

/**
 * One AI action: `parse` validates the body (the message names the field → 400) before any
 * credential is loaded; `run` calls the provider and shapes the answer.
 */
export interface AiActionDefinition<I> {
  parse(body: Record<string, unknown>): Result<I, string>;
  run(ctx: RequestContext, credential: Credential, input: I): Promise<unknown>;
  prepare(body: Record<string, unknown>): Result<PreparedAction, string>;
}

export function defineAction<I>(
  parse: AiActionDefinition<I>["parse"],
  run: AiActionDefinition<I>["run"],
): AiActionDefinition<I> {
  return {
    parse,
    run,
    prepare(body) {
      const input = parse(body);
      return input.ok ? ok((ctx: RequestContext, credential: Credential) => run(ctx, credential, input.value)) : input;
    },
  };
}

/** Model output that must be JSON; unparseable → 502 PROVIDER_UNAVAILABLE (docs/api.md#routes). */
export function expectJson(text: string): unknown {
  const parsed = parseTolerantJson(text);
  if (!parsed.ok) throw unreadableAnswer(`model output is not JSON: ${parsed.error}`);
  return parsed.value;
}

/** Puts user text between markers so instructions inside it read as data, not as the prompt. */
export const quoted = (label: string, text: string): string => `<${label}>\n${text}\n</${label}>`;
