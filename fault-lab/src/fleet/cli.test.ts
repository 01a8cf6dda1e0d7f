import { describe, expect, it } from "vitest";
import { parseFleetArgs, runFleetCli } from "./cli";
import type { FleetTrace } from "./trace";

/** 5 isolates during a dead backend: 10 requests, 13 attempts (over the 1.2 budget). */
function overBudgetTrace(): FleetTrace {
  return {
    config: { isolates: 5, seed: 1, serviceMs: 1, learningIntervalMs: 5000, providerOpenMs: 30_000, vpsOpenMs: 20_000, aiPerSec: 0, v2PerSec: 1, maxRttMs: 10, isolateStatePerIsolate: true },
    phases: [{ name: "backend-outage", from: 0, to: 20_000, outage: "backend" }],
    rttMs: [1, 2, 3, 4, 5],
    requests: Array.from({ length: 10 }, (_, index) => ({ isolate: index % 5, kind: "v2" as const, t: index * 1000, end: index * 1000 + 5, status: 503, cause: "upstream_5xx", doWaitMs: 0 })),
    attempts: Array.from({ length: 13 }, (_, index) => ({ t: index * 1000, isolate: index % 5, server: "backend" as const, circuit: "closed" as const })),
    calls: [],
    breaker: [],
    startedAt: 0,
    endedAt: 20_000,
  };
}

describe("--fleet flags", () => {
  it("reads isolates, seed and rates", () => {
    expect(parseFleetArgs(["--fleet", "--isolates", "1000", "--seed", "7", "--ai-rate", "0.5", "--v2-rate", "0", "--service-ms", "2"])).toEqual({
      ok: true,
      value: { isolates: 1000, seed: 7, aiPerSec: 0.5, v2PerSec: 0, serviceMs: 2 },
    });
    expect(parseFleetArgs(["--fleet"])).toEqual({ ok: true, value: { isolates: 100, seed: 1 } });
  });

  it.each([
    [["--fleet", "--isolates", "0"], /--isolates must be between 1 and 5000/],
    [["--fleet", "--isolates", "12x"], /--isolates must be an integer/],
    [["--fleet", "--isolates", "1.5"], /--isolates must be an integer/],
    [["--fleet", "--seed=-1"], /--seed must be between/],
    [["--fleet", "--ai-rate", "fast"], /--ai-rate must be a number/],
    [["--fleet", "--ai-rate", "0", "--v2-rate", "0"], /cannot both be 0/],
    [["--fleet", "--isolate", "5"], /Unknown option '--isolate'/],
    [["--fleet", "--isolates"], /argument missing/],
  ])("refuses %j with a clear error", (argv, message) => {
    const parsed = parseFleetArgs(argv);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });

  it("exits 2 on a bad flag, naming it, without running", async () => {
    const errors: string[] = [];
    const code = await runFleetCli(["--fleet", "--isolates=-3"], { write: () => undefined, writeError: (text) => errors.push(text), reportDir: null, now: () => 0 });
    expect(code).toBe(2);
    expect(errors.join("")).toMatch(/^lab --fleet: --isolates must be between 1 and 5000/);
  });

  it("exits 1 naming the broken invariant, and still ends with the fleet line", async () => {
    const out: string[] = [];
    const code = await runFleetCli(["--fleet", "--isolates", "5"], { write: (text) => out.push(text), writeError: () => undefined, reportDir: null, now: () => 0, run: async () => overBudgetTrace() });
    expect(code).toBe(1);
    const text = out.join("");
    expect(text).toMatch(/INVARIANT BROKEN fleet-retry-budget: during backend-outage the fleet sent 13 backend attempts for 10/);
    expect(text.trimEnd().split("\n").at(-1)).toBe("fleet isolates=5 global-do-calls-per-healthy-ai-request=0.00 provider-probes-per-window-max=0 backend-requests-per-window-max=13 recovery-s=0.0 wall-s=0.0");
  });
});
