// PLACEHOLDER — owned by the auth/sessions helper; replaced with the real implementation.
import type { RequestContext } from "../context";
import { ApiError } from "../errors";

export async function handleAuthStatus(_ctx: RequestContext): Promise<Response> {
  throw new ApiError("INTERNAL_ERROR", "not implemented");
}
export async function handleConnect(_ctx: RequestContext): Promise<Response> {
  throw new ApiError("INTERNAL_ERROR", "not implemented");
}
export async function handleDisconnect(_ctx: RequestContext): Promise<Response> {
  throw new ApiError("INTERNAL_ERROR", "not implemented");
}
