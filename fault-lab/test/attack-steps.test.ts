import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createLabControl } from "../src/control/lab-control";
import { runScenario } from "../src/scenario/executor";
import type { LabTarget } from "../src/scenario/run-state";
import type { Scenario } from "../src/scenario/types";
import { startFakes } from "./helpers";

/** A stand-in Worker: /login?v=X sets sid=X; /echo answers the Cookie and Host it received. */
async function echoWorker(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://echo.local");
    if (url.pathname === "/login") res.setHeader("set-cookie", `sid=${url.searchParams.get("v")}; Path=/`);
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ cookie: req.headers.cookie ?? null, host: req.headers.host ?? null }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const target = (workerUrl: string): LabTarget => ({
  workerUrl,
  control: createLabControl(1),
  restartWorker: async () => undefined,
  workerVars: () => ({}),
  readKv: async () => [],
  setKvOutage: async () => undefined,
  workerLogs: () => [],
});

const deps = { now: () => Date.now(), sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)), fetch, randomSecret: () => "s", circuitPollMs: 0 };

describe("attack steps", () => {
  it("tossFrom puts the other jar's cookies first, keepCookies keeps the old cookie, a host header is sent as written", async () => {
    const worker = await echoWorker();
    try {
      const scenario: Scenario = {
        name: "attack-steps",
        description: "d",
        seed: 1,
        faults: [],
        traffic: [
          { do: "request", label: "login-a", path: "/login?v=a1", as: "a" },
          { do: "request", label: "login-m", path: "/login?v=m1", as: "m" },
          { do: "request", label: "tossed", path: "/echo", as: "a", tossFrom: "m" },
          { do: "request", label: "relogin", path: "/login?v=a2", as: "a", keepCookies: true },
          { do: "request", label: "kept", path: "/echo", as: "a" },
          { do: "request", label: "host", path: "/echo", headers: { host: "proxy.example.com" } },
        ],
        expect: [
          { check: "jsonPath", label: "tossed", path: "cookie", equals: "sid=m1; sid=a1" },
          { check: "jsonPath", label: "kept", path: "cookie", equals: "sid=a1" },
          { check: "jsonPath", label: "host", path: "host", equals: "proxy.example.com" },
        ],
      };
      const run = await runScenario(target(worker.url), scenario, deps, { baseVars: {} });
      expect(run.results.map((result) => `${result.passed} ${result.actual}`)).toEqual(['true "sid=m1; sid=a1"', 'true "sid=a1"', 'true "proxy.example.com"']);
    } finally {
      await worker.close();
    }
  });
});

describe("fake providers refuse keys for that key alone", () => {
  const validate = { contents: [{ parts: [{ text: "Reply with OK" }] }] };
  const analyze = { contents: [{ parts: [{ text: "Analyze this note and classify it with a title and tags" }] }] };

  it("accept a quota/revoked key at connect (the OK ping), then refuse it: 429 quota, 403/401 revoked; other keys answer", async () => {
    const fakes = await startFakes();
    try {
      const gemini = (key: string, body: unknown) =>
        fetch(`${fakes.gemini.url}/v1beta/models/gemini-2.5-flash:generateContent`, { method: "POST", headers: { "x-goog-api-key": key, "content-type": "application/json" }, body: JSON.stringify(body) }).then((response) => response.status);
      const openrouter = (key: string) =>
        fetch(`${fakes.openrouter.url}/api/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify({ messages: [{ role: "user", content: "Analyze this note and classify it" }] }) }).then((response) => response.status);
      expect(await gemini("AIzaSyLabFakeQuotaKey01", validate)).toBe(200);
      expect(await gemini("AIzaSyLabFakeQuotaKey01", analyze)).toBe(429);
      expect(await gemini("AIzaSyLabRevokedKey01", analyze)).toBe(403);
      expect(await gemini("AIzaSyLabFakeKey01", analyze)).toBe(200);
      expect(await openrouter("sk-or-v1-revoked-01")).toBe(401);
      expect(await openrouter("sk-or-v1-quota-01")).toBe(429);
    } finally {
      await fakes.close();
    }
  });
});
