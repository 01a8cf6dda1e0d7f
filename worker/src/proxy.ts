// PLACEHOLDER — owned by the resilience helper; replaced with the real implementation.
import type { RequestContext } from "./context";
import { ApiError } from "./errors";

export async function handleV2(_ctx: RequestContext): Promise<Response> {
  throw new ApiError("SERVICE_UNAVAILABLE", "VPS API origin is not configured.", { cause: "origin_unconfigured", retryable: false });
}
