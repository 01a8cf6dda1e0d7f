import { describe, expect, it } from "vitest";
import { handleRequest } from "../src/index";
import { bearerToken, constantTimeEqual, parseOpsToken, presentsToken } from "../src/ops-tokens";
import { makeEnv } from "./fakes";

const TOKEN = "metrics-token-for-tests-9c4e7a1f3b6d2085";
const REMOTE = "https://pb.example.org/api/v1/metrics";

function metricsRequest(headers: Record<string, string> = {}, url = REMOTE): Request {
  return new Request(url, { headers });
}

const env = (overrides = {}) => makeEnv({ METRICS_TOKEN: TOKEN, ...overrides });

describe("GET /api/v1/metrics for a remote caller", () => {
  it("answers the metrics JSON to `Authorization: Bearer <METRICS_TOKEN>`", async () => {
    const response = await handleRequest(metricsRequest({ authorization: `Bearer ${TOKEN}` }), env());
    expect(response.status).toBe(200);
    const body = (await response.json()) as { reliability: { secretRotation: Record<string, number> } };
    expect(body.reliability.secretRotation.fallbackDecrypts).toEqual(expect.any(Number));
  });

  it("answers the Prometheus text too", async () => {
    const response = await handleRequest(metricsRequest({ authorization: `Bearer ${TOKEN}` }, `${REMOTE}?format=prometheus`), env());
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
  });

  it.each([
    ["no Authorization header", {}],
    ["a wrong token of the same length", { authorization: `Bearer ${TOKEN.slice(0, -1)}X` }],
    ["a token that is a prefix", { authorization: `Bearer ${TOKEN.slice(0, 20)}` }],
    ["a longer token", { authorization: `Bearer ${TOKEN}0` }],
    ["another scheme", { authorization: `Basic ${TOKEN}` }],
    ["the token without a scheme", { authorization: TOKEN }],
    ["a public CF-Connecting-IP and a wrong token", { authorization: "Bearer nope", "cf-connecting-ip": "203.0.113.9" }],
  ])("answers 404 NOT_FOUND, as for an unknown route, with %s", async (_name, headers) => {
    const response = await handleRequest(metricsRequest(headers), env());
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
  });

  it("answers 404 to every remote caller while METRICS_TOKEN is unset or too weak to use", async () => {
    for (const METRICS_TOKEN of [undefined, "", "short-token"]) {
      const response = await handleRequest(metricsRequest({ authorization: `Bearer ${METRICS_TOKEN ?? ""}` }), env({ METRICS_TOKEN }));
      expect(response.status).toBe(404);
    }
  });

  it("stays open to a local caller without any token", async () => {
    expect((await handleRequest(metricsRequest({}, "http://127.0.0.1:8787/api/v1/metrics"), env())).status).toBe(200);
  });
});

describe("token compare", () => {
  it("compares SHA-256 digests of equal length, whatever the presented token's length", async () => {
    const seen: [number, number][] = [];
    const spy = (a: Uint8Array, b: Uint8Array) => {
      seen.push([a.length, b.length]);
      return constantTimeEqual(a, b);
    };
    const expected = parseOpsToken(TOKEN);
    expect(await presentsToken(`Bearer ${TOKEN}`, expected, spy)).toBe(true);
    expect(await presentsToken("Bearer x", expected, spy)).toBe(false);
    expect(await presentsToken(`Bearer ${TOKEN}${"y".repeat(500)}`, expected, spy)).toBe(false);
    expect(seen).toEqual([[32, 32], [32, 32], [32, 32]]);
  });

  it("constantTimeEqual looks at every byte: a difference in the last byte is found", () => {
    const a = new Uint8Array(32).fill(7);
    const b = a.slice();
    expect(constantTimeEqual(a, b)).toBe(true);
    b[31] = 8;
    expect(constantTimeEqual(a, b)).toBe(false);
    expect(constantTimeEqual(a, a.subarray(1))).toBe(false);
  });

  it.each([
    ["Bearer abc", "abc"],
    ["bearer   abc", "abc"],
    ["Bearer", null],
    ["Bearer a b", null],
    ["Token abc", null],
  ])("bearerToken(%j) → %j", (header, token) => expect(bearerToken(header)).toBe(token));

  it.each([
    [undefined, { ok: false, reason: "missing" }],
    ["  ", { ok: false, reason: "missing" }],
    ["x".repeat(31), { ok: false, reason: "weak" }],
    [`your-metrics-token-${"a".repeat(20)}`, { ok: false, reason: "weak" }],
    [`tab\tinside-${"a".repeat(30)}`, { ok: false, reason: "weak" }],
    [TOKEN, { ok: true, value: TOKEN }],
  ])("parseOpsToken(%j)", (raw, state) => expect(parseOpsToken(raw)).toEqual(state));
});
