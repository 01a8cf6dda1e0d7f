import type { AttemptRecord, ClientExchange } from "../trace/trace";
import { attempt, exchange } from "../trace/trace-fixtures";

/** Provider attempts and AI answers for the provider invariants' unit tests. */
let seq = 0;
/** A gemini attempt of client request `id` (step 0) from `t` to `settledAt`. */
export const call = (id: string, t: number, settledAt: number, result: "ok" | "500" | "timeout", fields: Partial<AttemptRecord> = {}): AttemptRecord =>
  attempt({
    seq: (seq += 1),
    server: "gemini",
    route: "/v1beta/models/gemini-2.5-flash:generateContent",
    requestId: null,
    clientRequestId: id,
    clientStep: 0,
    t,
    settledAt,
    status: result === "ok" ? 200 : result === "500" ? 500 : null,
    outcome: result === "timeout" ? "client-gone" : "answered",
    ...fields,
  });

export const aiExchange = (requestId: string, fields: Partial<ClientExchange>): ClientExchange => exchange({ requestId, method: "POST", path: "/api/v1/ai/analyze", ...fields });
export const timeoutAnswer = { status: 504, retryAfter: "5", envelope: { code: "TIMEOUT", message: "late", retryable: true, cause: "provider_timeout", requestId: "a" } };

