import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { varsDelta } from "../src/scenario/executor";
import { loadScenarios } from "../src/scenario/load";
import { validateScenario } from "../src/scenario/validate";
import { renderReport } from "../src/report";

const SCENARIOS = resolve(dirname(fileURLToPath(import.meta.url)), "../scenarios");
const minimal = { name: "tiny", description: "d", seed: 1, faults: [], traffic: [], expect: [] };

describe("validateScenario", () => {
  it("accepts a minimal scenario", () => {
    expect(validateScenario(minimal).ok).toBe(true);
  });

  it.each([
    [{ ...minimal, seed: "1" }, "scenario.seed must be a number"],
    [{ ...minimal, name: "Not Kebab" }, "kebab-case"],
    [{ ...minimal, traffic: [{ do: "wait" }] }, "traffic[0].ms must be a number"],
    [{ ...minimal, traffic: [{ do: "teleport" }] }, "traffic[0].do must be one of"],
    [{ ...minimal, faults: [{ route: "/x", faults: [{ kind: "gremlin" }] }] }, 'faults[0].faults[0]: unknown fault kind "gremlin"'],
    [{ ...minimal, traffic: [{ do: "setFaults", route: "/x", faults: [{ kind: "status" }] }] }, "traffic[0].faults[0]: status.status is required"],
    [{ ...minimal, expect: [{ check: "vibes" }] }, "expect[0].check must be one of"],
    [{ ...minimal, expect: [{ check: "status", equals: 200 }] }, "expect[0].label must be a string"],
    [{ ...minimal, workerVars: { RATE_LIMIT_MAX: 3 } }, "scenario.workerVars.RATE_LIMIT_MAX must be a string"],
    [{ ...minimal, expect: [{ check: "status", label: "connect:alice", equals: 200 }] }, 'expect[0].label "connect:alice": a connect step\'s response is labelled "connect-alice" now'],
  ])("rejects %j naming the field", (value, message) => {
    const checked = validateScenario(value);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.error).toContain(message);
  });

  it("keeps scenarios serialisable JSON (what the chaos explorer generates)", async () => {
    const loaded = await loadScenarios(SCENARIOS);
    if (!loaded.ok) throw new Error(loaded.error);
    expect(loaded.value.length).toBeGreaterThanOrEqual(20);
    for (const scenario of loaded.value) expect(JSON.parse(JSON.stringify(scenario))).toEqual(scenario);
  });
});

describe("loadScenarios", () => {
  it("names the file and the field of a malformed scenario", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lab-scenarios-"));
    try {
      await writeFile(join(dir, "broken.ts"), 'export default { name: "broken", description: "d", seed: 1, faults: [], traffic: [{ do: "wait", ms: "soon" }], expect: [] };\n');
      const loaded = await loadScenarios(dir);
      expect(loaded).toEqual({ ok: false, error: "broken.ts: traffic[0].ms must be a number (got string)" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("requires the scenario name to match its file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lab-scenarios-"));
    try {
      await writeFile(join(dir, "one.ts"), 'export default { name: "two", description: "d", seed: 1, faults: [], traffic: [], expect: [] };\n');
      const loaded = await loadScenarios(dir);
      expect(loaded.ok).toBe(false);
      if (!loaded.ok) expect(loaded.error).toContain("one.ts");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("varsDelta", () => {
  it("sets new values and removes variables the target no longer has", () => {
    expect(varsDelta({ A: "1", PREV: "x" }, { A: "2", B: "3" })).toEqual({ A: "2", B: "3", PREV: "" });
  });
});

describe("renderReport", () => {
  it("shows each scenario's verdict, assertions and timeline, escaping text", () => {
    const html = renderReport(
      [
        {
          name: "demo",
          description: "<b>x</b>",
          seed: 1,
          startedAt: 1000,
          durationMs: 500,
          steps: [{ t: 0, step: "pull: GET /api/v2/sync/pull" }],
          responses: { pull: [{ label: "pull", index: 0, t: 5, method: "GET", path: "/api/v2/sync/pull", status: 503, ms: 3, code: "SERVICE_UNAVAILABLE", cause: "circuit_open", retryAfter: "20", headers: {}, setCookies: [], body: "" }] },
          events: [],
          circuit: [{ t: 10, state: "open", remainingMs: 19_000 }],
          results: [{ assertion: { check: "status", label: "pull", equals: 200 }, passed: false, expected: "status 200", actual: "503" }],
          passed: false,
        },
      ],
      1234,
    );
    expect(html).toContain("0/1 scenarios passed");
    expect(html).toContain("&lt;b&gt;x&lt;/b&gt;");
    expect(html).toContain("circuit_open");
    expect(html).toContain("v2 circuit open (19 s left)");
    expect(html).toContain("status 200");
  });
});
