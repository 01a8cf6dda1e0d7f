import { ERROR_CODES, FAILURE_CAUSES } from "../../../worker/src/errors";
import { firstOnly } from "./types";
import { isWorkerError } from "./trace-queries";

/** Every Worker error is the JSON envelope with a known code, a known cause and the request id; never a 500. */
export const errorsAreEnvelopes = firstOnly("error-envelope", "every Worker error is the JSON envelope with a known code and cause and the client's request id; never a 500", (trace) => {
  for (const exchange of trace.exchanges) {
    // A provider's own 5xx is passed on with its status (docs/api.md#ai-providers); any other 500 is the Worker failing.
    const providerStatus = exchange.envelope?.code === "PROVIDER_UNAVAILABLE" && exchange.envelope.cause === "provider_5xx";
    if (exchange.status === 500 && !providerStatus) return `${exchange.requestId} (${exchange.method} ${exchange.path}) got a 500 ${String(exchange.envelope?.code ?? "")} under backend/provider faults`;
    if (!isWorkerError(exchange)) continue;
    const where = `${exchange.requestId} (${exchange.status} ${exchange.method} ${exchange.path})`;
    const envelope = exchange.envelope;
    if (!envelope) return `${where}: ${exchange.envelopeProblem ?? "no error envelope"}`;
    if (!(ERROR_CODES as readonly unknown[]).includes(envelope.code)) return `${where}: unknown error code ${JSON.stringify(envelope.code)}`;
    if (envelope.cause !== undefined && !(FAILURE_CAUSES as readonly unknown[]).includes(envelope.cause)) return `${where}: unknown cause ${JSON.stringify(envelope.cause)}`;
    if (typeof envelope.retryable !== "boolean") return `${where}: retryable is not a boolean`;
    if (envelope.requestId !== exchange.requestId || exchange.responseRequestId !== exchange.requestId) {
      return `${where}: requestId ${JSON.stringify(envelope.requestId)} / X-Request-Id ${JSON.stringify(exchange.responseRequestId)} do not echo the client's`;
    }
  }
  return null;
});
