import fc from "fast-check";
import { HOSTILE_IP, HOSTILE_JAR, HOSTILE_RAW_JAR } from "../hostile-client";
import type { ExplorerStep } from "../steps/schedule";

/**
 * Hostile inputs for the explorer's attacker (issue 15): every header, cookie, path and body is
 * chosen by the attacker. Each part is a step list that shrinks away as a whole; labels are set by
 * the schedule arbitrary. The honest clients never send any of these.
 */
type Draft = Omit<Extract<ExplorerStep, { do: "request" }>, "label"> | Extract<ExplorerStep, { do: "connect" }>;

/** Control characters an apiKey or body must not smuggle in: NUL, other C0 codes, CR/LF, DEL. */
const controlChar = fc.constantFrom("\u0000", "\u0001", "\u001f", "\r\n", "\n", "\t", "\u007f");
const provider = fc.constantFrom("gemini" as const, "openrouter" as const);
const burst = fc.oneof({ weight: 3, arbitrary: fc.constant(1) }, { weight: 2, arbitrary: fc.integer({ min: 2, max: 4 }) });
const AI_ACTIONS = ["analyze", "search"] as const;
const aiBody = (action: string, content: string): unknown => (action === "analyze" ? { content } : { query: content });

/** A well-formed session id the attacker made up (the Worker never issued it). */
const forgedSession = fc.uuid({ version: 4 }).map((id) => `pb_ai_session=${id}`);

/** Keys the provider accepts at connect, then refuses for that key alone: quota spent (429) or revoked (401/403). */
const refusedKey = fc.tuple(provider, fc.constantFrom("Quota", "Revoked")).map(([name, kind]) => ({
  provider: name,
  key: name === "gemini" ? `AIzaSyMallory${kind}Key0123456789` : `sk-or-v1-mallory-${kind.toLowerCase()}-0123456789`,
}));

const raw = (step: Omit<Extract<Draft, { do: "request" }>, "do" | "as">, ip = HOSTILE_IP): Draft => ({
  do: "request",
  ...step,
  as: HOSTILE_RAW_JAR,
  headers: { "cf-connecting-ip": ip, ...step.headers },
});

/** The attacker's own account, then AI calls (some with control characters in the body) the provider refuses for its key. */
const refusedKeyCalls: fc.Arbitrary<Draft[]> = fc
  .tuple(refusedKey, fc.array(fc.tuple(fc.constantFrom(...AI_ACTIONS), burst, fc.option(controlChar, { nil: undefined })), { minLength: 1, maxLength: 3 }))
  .map(([{ provider: name, key }, calls]) => [
    { do: "connect", provider: name, key, as: HOSTILE_JAR },
    ...calls.map(([action, count, ctrl]): Draft => ({
      do: "request",
      method: "POST",
      path: `/api/v1/ai/${action}`,
      body: aiBody(action, `Mallory${ctrl ?? ""} note`),
      as: HOSTILE_JAR,
      headers: { "cf-connecting-ip": HOSTILE_IP },
      ...(count > 1 ? { concurrency: count } : {}),
    })),
  ]);

/** connect with a control character inside the key (finding 1: NUL passed validation and broke fetch). */
const controlCharKey: fc.Arbitrary<Draft[]> = fc.tuple(provider, controlChar, burst).map(([name, ctrl, count]) => [
  raw({ method: "POST", path: "/api/v1/auth/connect", body: { provider: name, apiKey: `AIzaSyMallory${ctrl}Key0123456789` }, ...(count > 1 ? { concurrency: count } : {}) }),
]);

/** A client budget too small for any answer (finding 2: X-Timeout-Ms: 1 opened the circuit). */
const tinyBudget: fc.Arbitrary<Draft[]> = fc.tuple(fc.constantFrom("0", "1", "5", "50"), burst).map(([ms, count]) => [
  raw({ path: "/api/v2/sync/pull", headers: { "x-timeout-ms": ms }, ...(count > 1 ? { concurrency: count } : {}) }),
]);

/** A fresh self-made session cookie per request, one of them doubled (findings 3 and 7). */
const forgedCookies: fc.Arbitrary<Draft[]> = fc.tuple(forgedSession, forgedSession, fc.boolean(), fc.constantFrom(...AI_ACTIONS, "status")).map(([first, second, doubled, action]) => [
  raw({
    ...(action === "status" ? { path: "/api/v1/auth/status" } : { method: "POST", path: `/api/v1/ai/${action}`, body: aiBody(action, "Mallory note") }),
    headers: { cookie: doubled ? `${first}; ${second}` : first },
  }),
]);

/** Client IPs and hosts the attacker claims (finding 4). Never an honest client's IP: on Cloudflare the edge sets it. */
const spoofedHeaders: fc.Arbitrary<Draft[]> = fc
  .tuple(fc.constantFrom<[string, string]>(["cf-connecting-ip", "127.0.0.1"], ["x-forwarded-for", "127.0.0.1"], ["x-forwarded-for", "::1, 127.0.0.1"]), fc.constantFrom("/api/v1/metrics", "/__dev/", "/api/v1/auth/status"))
  .map(([[name, value], path]) => [raw({ path, headers: { [name]: value } }, name === "cf-connecting-ip" ? value : HOSTILE_IP)]);

/** Encoded separators in /api/v2 paths (finding 5). */
const encodedPath: fc.Arbitrary<Draft[]> = fc
  .constantFrom("/api/v2/..%2f..%2fadmin", "/api/v2/events/..%2F..%2Fsync%2Fpull", "/api/v2/sync%5cpull", "/api/v2/sync/%2E%2E%2Fpush", "/api/v2/sync%2fpull")
  .map((path) => [raw({ path })]);

/** One hostile part: a short step list. */
export const hostilePart: fc.Arbitrary<Draft[]> = fc.oneof(refusedKeyCalls, controlCharKey, tinyBudget, forgedCookies, spoofedHeaders, encodedPath);
