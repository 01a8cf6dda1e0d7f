import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateScenario } from "../scenario/validate";
import { scheduleArbitrary } from "../explorer/arbitraries";
import { scheduleFromFound, toFoundScenario, validateSchedule, SCHEDULE_VERSION } from "./schedule";

const meta = { seed: 7, path: "3:1", invariant: "single-probe", message: "two probes", runtime: "in-process" as const };

describe("schedules", () => {
  it("generates only valid schedules, and each is a valid lab scenario once written", () => {
    fc.assert(
      fc.property(scheduleArbitrary(), (schedule) => {
        expect(validateSchedule(JSON.parse(JSON.stringify(schedule)))).toEqual({ ok: true, value: schedule });
        const found = toFoundScenario(schedule, meta);
        expect(validateScenario(JSON.parse(JSON.stringify(found))).ok).toBe(true);
        expect(scheduleFromFound(JSON.parse(JSON.stringify(found)))).toEqual({ ok: true, value: schedule });
      }),
      { numRuns: 100 },
    );
  });

  it("names the field of an unknown fault kind or a malformed step", () => {
    const base = { version: SCHEDULE_VERSION, seed: 1, workerVars: {} };
    const unknownKind = validateSchedule({ ...base, steps: [{ do: "setFaults", route: "*", server: "backend", faults: [{ kind: "melt" }] }] });
    expect(unknownKind.ok ? "" : unknownKind.error).toMatch(/^steps\[0\]\.faults\[0\]: unknown fault kind "melt"; valid kinds: latency, hang/);
    const badWait = validateSchedule({ ...base, steps: [{ do: "wait", ms: -1 }] });
    expect(badWait.ok ? "" : badWait.error).toBe("steps[0].ms must be an integer ≥ 0");
    const badStep = validateSchedule({ ...base, steps: [{ do: "explode" }] });
    expect(badStep.ok ? "" : badStep.error).toMatch(/^steps\[0\]\.do must be one of request, connect/);
  });

  it("refuses an older or unknown format version with a clear message", () => {
    const found = JSON.parse(JSON.stringify(toFoundScenario({ version: SCHEDULE_VERSION, seed: 1, workerVars: {}, steps: [{ do: "wait", ms: 1 }] }, meta)));
    found.explorer.version = 0;
    const old = scheduleFromFound(found);
    expect(old.ok ? "" : old.error).toMatch(/explorer\.version 0 is not supported: this explorer reads version 1/);
    const notExplorer = scheduleFromFound({ name: "x" });
    expect(notExplorer.ok ? "" : notExplorer.error).toMatch(/explorer is missing/);
  });
});
