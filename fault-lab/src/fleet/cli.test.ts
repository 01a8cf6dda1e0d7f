import { describe, expect, it } from "vitest";
import { parseFleetArgs, runFleetCli } from "./cli";

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
});
