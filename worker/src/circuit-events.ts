import { log } from "./log";
import type { RequestContext } from "./context";
import { count } from "./metrics-core";
import type { ProviderName } from "./types";

/** The Worker's circuits: the per-isolate /api/v2 backend circuit and one per provider. */
export type CircuitName = "vps" | ProviderName;

/**
 * What a circuit's opening does outside the breaker, written once for every circuit and every place
 * its state lives (module memory, the Durable Object, the fallback): one counter and one log line.
 * `circuitOpens` counts provider circuits only, as the original worker's did.
 */
export function noteCircuitOpened(ctx: Pick<RequestContext, "isolate" | "requestId">, circuit: CircuitName): void {
  const { requestId } = ctx;
  count(ctx.isolate.metrics, circuit === "vps" ? "vpsProxyCircuitOpens" : "circuitOpens");
  log("warn", "circuit_opened", { requestId, circuit });
}
