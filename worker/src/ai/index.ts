import type { RequestContext } from "../context";
import { badRequest } from "../errors";
import type { Credential } from "../types";
import type { AiActionDefinition, PreparedAction } from "./action";
import { analyzeAction } from "./analyze";
import { batchAction } from "./batch";
import { cleanupAction } from "./cleanup";
import { dailyBriefAction } from "./daily-brief";
import { searchAction } from "./search";
import { transcribeAction } from "./transcribe";

export const AI_ACTIONS = ["analyze", "batch", "cleanup", "transcribe", "search", "daily-brief"] as const;
export type AiAction = (typeof AI_ACTIONS)[number];
export const isAiAction = (value: string): value is AiAction => (AI_ACTIONS as readonly string[]).includes(value);

const DEFINITIONS: Record<AiAction, Pick<AiActionDefinition<unknown>, "prepare">> = {
  analyze: analyzeAction,
  batch: batchAction,
  cleanup: cleanupAction,
  transcribe: transcribeAction,
  search: searchAction,
  "daily-brief": dailyBriefAction,
};

/** Validates the body of `action`; a failure is a 400 naming the field. */
export function prepareAiAction(action: AiAction, body: Record<string, unknown>): PreparedAction {
  const prepared = DEFINITIONS[action].prepare(body);
  if (!prepared.ok) throw badRequest(prepared.error);
  return prepared.value;
}

/** validate → provider call → shape, with the credential given: the auth-free core of an AI route. */
export async function runAiAction(ctx: RequestContext, action: AiAction, body: Record<string, unknown>, credential: Credential): Promise<unknown> {
  return prepareAiAction(action, body)(ctx, credential);
}
