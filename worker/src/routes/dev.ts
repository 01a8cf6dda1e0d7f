import type { RequestContext } from "../context";

/** Dev-only routes (diagnostics page); the router only calls this in development on a loopback host. */
export async function handleDevRoute(_ctx: RequestContext): Promise<Response | null> {
  return null;
}
