/**
 * A rejection that means "timed out": a DOMException named TimeoutError, as `AbortSignal.timeout()`
 * and the platform's own fetch timeouts raise it (and as the PocketBrain tests reject a spied fetch).
 * Anything else a fetch rejects with is a network error.
 */
export function isTimeoutRejection(error: unknown): boolean {
  return typeof DOMException !== "undefined" && error instanceof DOMException && error.name === "TimeoutError";
}
