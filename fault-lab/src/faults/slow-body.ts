import { ok } from "../result";
import { requiredInt } from "./params";
import { defineFault, type FaultContext } from "./types";

export interface SlowBodyParams {
  bytesPerChunk: number;
  intervalMs: number;
}

/** The same bytes, `bytesPerChunk` at a time, the first at once and one more every `intervalMs` on the clock. */
function trickle(body: ReadableStream<Uint8Array>, { bytesPerChunk, intervalMs }: SlowBodyParams, ctx: FaultContext): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let pending: Uint8Array = new Uint8Array(0);
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (pending.length === 0) {
        const next = await reader.read();
        if (next.done) return controller.close();
        pending = next.value;
      }
      if (sent > 0) await ctx.clock.sleep(intervalMs, ctx.signal);
      controller.enqueue(pending.slice(0, bytesPerChunk));
      pending = pending.slice(bytesPerChunk);
      sent += 1;
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/**
 * Headers on time, body bytes trickling: the answer (the fake's, or an earlier fault's) is sent
 * `bytesPerChunk` bytes every `intervalMs`. Proves which Worker timeouts cover the body.
 */
export const slowBody = defineFault<SlowBodyParams>({
  kind: "slow-body",
  description: "send headers at once, then the body {bytesPerChunk} bytes every {intervalMs}",
  parse(spec) {
    const bytesPerChunk = requiredInt(spec, "bytesPerChunk", 1, 1_048_576);
    if (!bytesPerChunk.ok) return bytesPerChunk;
    const intervalMs = requiredInt(spec, "intervalMs", 1, 600_000);
    return intervalMs.ok ? ok({ bytesPerChunk: bytesPerChunk.value, intervalMs: intervalMs.value }) : intervalMs;
  },
  async apply(params, ctx) {
    ctx.transform((response) =>
      response.body ? new Response(trickle(response.body, params, ctx), { status: response.status, statusText: response.statusText, headers: response.headers }) : response,
    );
    return "continue";
  },
});
