import { expect } from "vitest";
import type { Clock } from "../../fault-lab/src/clock/clock";
import { realClock } from "../../fault-lab/src/clock/real-clock";
import { failingJwksHandler, PLAINTEXT_KEYS, stepNetwork, type MockNetwork, type ProviderBases, type SeenUpstream, type StepReplies } from "./fakes";
import type { LabNetwork, SeenLabRequest } from "../../fault-lab/src/adapters/msw";
import type { ConformanceCase, CookieExpectation, Expectation, RequestSpec, RunnerName, Step } from "./types";

/** One way of reaching the Worker: plain Node `worker.fetch` or workerd `SELF.fetch`. */
export interface ConformanceTarget {
  runner: RunnerName;
  providerBases: ProviderBases;
  network: MockNetwork;
  /**
   * The clock the lab network's fault waits and stream pacing run on: the in-process runners' virtual
   * timers; real time for a target serving a real bundle (no case scripts a timed fault).
   */
  clock?: Clock;
  send(request: Request, options: { env?: Record<string, string>; kvOutage?: boolean }): Promise<Response>;
  /** Every value in AI_SESSIONS (the Node runner: every value ever written). */
  kvValues(): Promise<{ key: string; value: string }[]>;
  /** Every console line the Worker wrote so far, where the runner can see them. */
  logLines(): string[];
  /**
   * A fake provider hangs: fire the Worker's pending attempt timer, so a hang reaches its timeout
   * without a real wait. The in-process targets run cases with env overrides (the hang cases among
   * them) on virtual attempt timers; a target serving a real bundle has none and leaves this out.
   */
  onProviderHang?(): void;
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;
const RETRY_AFTER_SECONDS = /^[1-9][0-9]*$/;
const SESSION_COOKIE = "pb_ai_session";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SECURITY_HEADERS = { "x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "x-frame-options": "DENY" };
const ENVELOPE_KEYS = new Set(["code", "message", "retryable", "cause", "requestId"]);

interface CookieJar {
  session: string | undefined;
}

const slug = (name: string): string =>
  `conf-${name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60)}`;

function buildRequest(spec: RequestSpec, jar: CookieJar, defaultRequestId: string): Request {
  const headers = new Headers(spec.headers);
  const hasBody = spec.json !== undefined || spec.rawBody !== undefined || spec.failingBody === true;
  const method = spec.method ?? (hasBody ? "POST" : "GET");
  if ((hasBody || method === "POST") && !headers.has("content-type")) headers.set("content-type", "application/json");
  const requestId = spec.requestId === undefined ? defaultRequestId : spec.requestId;
  if (requestId !== null) headers.set("x-request-id", requestId);
  if (spec.session) {
    if (!jar.session) throw new Error("Failed to attach the session cookie: no earlier step received one. Add a connect step to `setup`.");
    const existing = headers.get("cookie");
    headers.set("cookie", [existing, `${SESSION_COOKIE}=${jar.session}`].filter(Boolean).join("; "));
  }
  if (spec.failingBody) return new Request(spec.url, { method, headers, body: failingStream(), duplex: "half" } as RequestInit);
  const body = spec.json !== undefined ? JSON.stringify(spec.json) : spec.rawBody;
  return new Request(spec.url, { method, headers, ...(body !== undefined ? { body } : {}) });
}

function failingStream(): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) return controller.error(new Error("upload aborted by the client"));
      sent = true;
      controller.enqueue(new TextEncoder().encode('{"query":'));
    },
  });
}

interface ParsedCookie {
  name: string;
  value: string;
  attributes: string[];
}

function sessionCookies(response: Response): ParsedCookie[] {
  return response.headers
    .getSetCookie()
    .map((line) => {
      const [pair = "", ...attributes] = line.split(";").map((part) => part.trim());
      const eq = pair.indexOf("=");
      return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes };
    })
    .filter((cookie) => cookie.name === SESSION_COOKIE);
}

function remember(response: Response, jar: CookieJar): void {
  for (const cookie of sessionCookies(response)) if (cookie.value !== "") jar.session = cookie.value;
}

/** A fresh network for one step: the lab's fakes scripted with the step's replies, plus the case's failing JWKS. */
function networkFor(replies: StepReplies, target: ConformanceTarget, c: ConformanceCase, jwksSeen: SeenUpstream[]): LabNetwork {
  target.network.resetHandlers();
  const lab = stepNetwork(target.network, target.providerBases, target.clock ?? realClock, replies, () => target.onProviderHang?.());
  if (c.jwks) target.network.use(failingJwksHandler(c.jwks.url, c.jwks.status, jwksSeen));
  return lab;
}

async function runStep(step: Step, target: ConformanceTarget, c: ConformanceCase, jar: CookieJar, index: number, jwksSeen: SeenUpstream[]): Promise<void> {
  networkFor(step, target, c, jwksSeen);
  for (let round = 0; round < (step.repeat ?? 1); round += 1) {
    const response = await target.send(buildRequest(step.request, jar, `${slug(c.name)}-setup`), { ...(c.env ? { env: c.env } : {}) });
    const text = await response.text();
    expect(response.status, `set-up step ${index + 1} (${step.request.url}) answered ${text}`).toBe(step.status);
    remember(response, jar);
  }
}

/** Runs one case against one target and asserts its expectation plus the docs/api.md#error-envelope invariants. */
export async function runCase(c: ConformanceCase, target: ConformanceTarget): Promise<void> {
  const jar: CookieJar = { session: undefined };
  const jwksSeen: SeenUpstream[] = [];
  for (const [index, step] of (c.setup ?? []).entries()) await runStep(step, target, c, jar, index, jwksSeen);

  const lab = networkFor(c, target, c, jwksSeen);

  const defaultId = slug(c.name);
  const request = buildRequest(c.request, jar, defaultId);
  const sentId = request.headers.get("x-request-id");
  const response = await target.send(request, { ...(c.env ? { env: c.env } : {}), ...(c.kvOutage ? { kvOutage: true } : {}) });
  const text = await response.text();
  const what = `${c.request.method ?? ""} ${c.request.url} → ${response.status} ${text.slice(0, 400)}`;
  const expectation = c.expect;

  expect(response.status, what).toBe(expectation.status);
  assertNoPlaintextKey(`${text}\n${JSON.stringify([...response.headers])}`, what);
  assertNoPlaintextKey(target.logLines().join("\n"), `the Worker's log lines (${what})`);
  const responseId = assertRequestId(response, sentId, expectation, c.request, what);
  assertBody(response, text, responseId, expectation, what);
  assertHeaders(response, expectation, what);
  if (expectation.cookie !== undefined) assertCookie(response, expectation.cookie, what);
  if (expectation.providerCalls !== undefined) {
    const providerCalls = lab.seenBy("gemini").length + lab.seenBy("openrouter").length;
    expect(providerCalls, `provider calls for ${what}`).toBe(expectation.providerCalls);
  }
  if (expectation.backend) assertBackend(lab.seenBy("backend"), responseId, expectation.backend, what);
  if (expectation.kvFreeOf) await assertKvFreeOf(target, expectation.kvFreeOf);
  if (expectation.jwksFetches !== undefined) expect(jwksSeen.length, `JWKS fetches up to ${what}`).toBe(expectation.jwksFetches);
}

function assertNoPlaintextKey(haystack: string, what: string): void {
  for (const key of PLAINTEXT_KEYS) expect(haystack.includes(key), `plaintext key leaked in ${what}`).toBe(false);
}

function assertRequestId(response: Response, sentId: string | null, expectation: Expectation, spec: RequestSpec, what: string): string {
  const responseId = response.headers.get("x-request-id");
  expect(responseId, `X-Request-Id on ${what}`).toMatch(SANE_REQUEST_ID);
  const mode = expectation.requestId ?? (spec.requestId === null ? "generated" : "echo");
  if (mode === "echo") expect(responseId, `echoed X-Request-Id on ${what}`).toBe(sentId);
  else expect(responseId, `generated X-Request-Id on ${what}`).not.toBe(sentId);
  return responseId!;
}

function assertBody(response: Response, text: string, responseId: string, expectation: Expectation, what: string): void {
  switch (expectation.kind ?? "json") {
    case "empty":
      expect(text, what).toBe("");
      return;
    case "text":
      if (expectation.contentType) expect(response.headers.get("content-type"), what).toMatch(expectation.contentType);
      for (const pattern of expectation.text ?? []) expect(text, what).toMatch(pattern);
      return;
    case "passthrough":
      if (expectation.rawBody !== undefined) expect(text, what).toBe(expectation.rawBody);
      return;
    case "json":
      assertJsonResponse(response, text, responseId, expectation, what);
  }
}

function assertJsonResponse(response: Response, text: string, responseId: string, expectation: Expectation, what: string): void {
  expect(response.headers.get("content-type"), what).toBe("application/json");
  expect(response.headers.get("cache-control"), what).toBe("no-store");
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(response.headers.get(name), `${name} on ${what}`).toBe(value);
  const body = JSON.parse(text) as Record<string, unknown>;
  if (response.status >= 400) assertEnvelope(response, body, responseId, what);
  if (expectation.json !== undefined) expect(body, what).toEqual(expectation.json);
  if (expectation.error) {
    const { message, ...rest } = expectation.error;
    const error = body.error as Record<string, unknown>;
    expect(error, what).toMatchObject(rest);
    if (typeof message === "string") expect(error.message, what).toBe(message);
    else if (message) expect(error.message, what).toMatch(message);
  }
}

/** docs/api.md#error-envelope: `{"error":{code,message,retryable,cause?,requestId}}`; retryable 429/503/504 carry Retry-After. */
function assertEnvelope(response: Response, body: Record<string, unknown>, responseId: string, what: string): void {
  expect(Object.keys(body), `envelope of ${what}`).toEqual(["error"]);
  const error = body.error as Record<string, unknown>;
  expect(Object.keys(error).every((key) => ENVELOPE_KEYS.has(key)), `envelope keys of ${what}`).toBe(true);
  expect(typeof error.code, what).toBe("string");
  expect(typeof error.message, what).toBe("string");
  expect(typeof error.retryable, what).toBe("boolean");
  expect(error.requestId, `envelope requestId of ${what}`).toBe(responseId);
  if (error.retryable === true && [429, 503, 504].includes(response.status)) {
    expect(response.headers.get("retry-after"), `Retry-After on ${what}`).toMatch(RETRY_AFTER_SECONDS);
  }
}

function assertHeaders(response: Response, expectation: Expectation, what: string): void {
  for (const [name, expected] of Object.entries(expectation.headers ?? {})) {
    const actual = response.headers.get(name);
    if (expected === null) expect(actual, `${name} on ${what}`).toBeNull();
    else if (expected instanceof RegExp) expect(actual, `${name} on ${what}`).toMatch(expected);
    else expect(actual, `${name} on ${what}`).toBe(expected);
  }
}

function assertCookie(response: Response, expected: CookieExpectation | null, what: string): void {
  const cookies = sessionCookies(response);
  if (expected === null) {
    expect(cookies, `Set-Cookie on ${what}`).toEqual([]);
    return;
  }
  expect(cookies, `exactly one ${SESSION_COOKIE} Set-Cookie on ${what}`).toHaveLength(1);
  const [cookie] = cookies;
  if (expected.value === "uuid") expect(cookie!.value, what).toMatch(UUID);
  else expect(cookie!.value, what).toBe("");
  expect([...cookie!.attributes].sort(), `cookie attributes on ${what}`).toEqual([...expected.attributes].sort());
}

function assertBackend(seen: SeenLabRequest[], responseId: string, expected: NonNullable<Expectation["backend"]>, what: string): void {
  expect(seen.length, `backend calls for ${what}`).toBe(expected.calls);
  const last = seen.at(-1);
  if (!last) return;
  for (const [name, value] of Object.entries(expected.headers ?? {})) expect(last.headers.get(name), `upstream ${name} for ${what}`).toBe(value);
  if (expected.pathAndQuery !== undefined) {
    const url = new URL(last.url);
    expect(`${url.pathname}${url.search}`, what).toBe(expected.pathAndQuery);
  }
  if (expected.requestIdMatchesResponse) expect(last.headers.get("x-request-id"), `upstream x-request-id for ${what}`).toBe(responseId);
}

/** docs/api.md#key-storage-and-rotation "never a plaintext key in KV": neither raw nor base64-encoded, in any stored value. */
async function assertKvFreeOf(target: ConformanceTarget, secrets: string[]): Promise<void> {
  const entries = await target.kvValues();
  expect(entries.some(({ key }) => key.startsWith("session:")), "the KV scan sees at least one device session").toBe(true);
  for (const { key, value } of entries) {
    for (const secret of secrets) {
      expect(value.includes(secret), `plaintext key in KV value of ${key}`).toBe(false);
      expect(value.includes(btoa(secret)), `base64 key in KV value of ${key}`).toBe(false);
    }
  }
}

/** The cases one runner executes, grouped by documented area for `describe.each`. */
export function groupsFor(cases: readonly ConformanceCase[], runner: RunnerName): { spec: string; cases: ConformanceCase[] }[] {
  const groups = new Map<string, ConformanceCase[]>();
  for (const c of cases) {
    if (c.runners && !c.runners.includes(runner)) continue;
    groups.set(c.spec, [...(groups.get(c.spec) ?? []), c]);
  }
  return [...groups].map(([spec, list]) => ({ spec, cases: list }));
}
