// PLACEHOLDER — owned by the providers/AI helper; replaced with the real implementation.
import type { RequestContext } from "../context";
import { ApiError } from "../errors";

export const AI_ACTIONS = ["analyze", "batch", "cleanup", "transcribe", "search", "daily-brief"] as const;
export type AiAction = (typeof AI_ACTIONS)[number];
export const isAiAction = (value: string): value is AiAction => (AI_ACTIONS as readonly string[]).includes(value);

export async function handleAiAction(_ctx: RequestContext, _action: AiAction): Promise<Response> {
  throw new ApiError("INTERNAL_ERROR", "not implemented");
}
