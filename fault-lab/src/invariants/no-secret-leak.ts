import { firstOnly } from "./types";

/** No provider key or secret in any response, header or log line. */
export const noSecretLeak = firstOnly("no-secret-leak", "no provider key or encryption secret in any response or log line", (trace) => {
  for (const secret of trace.secrets) {
    const wire = trace.wire.findIndex((text) => text.includes(secret));
    if (wire >= 0) return `a key or secret (${secret.length} chars, not shown) appears in response #${wire}`;
    const log = trace.logs.findIndex((line) => line.includes(secret));
    if (log >= 0) return `a key or secret (${secret.length} chars, not shown) appears in log line #${log}`;
  }
  return null;
});
