import fc from "fast-check";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scheduleArbitrary } from "./arbitraries";
import { INVARIANTS } from "../invariants";
import { scheduleFromFound } from "../steps/schedule";
import { exploreOnWorkerd } from "./workerd-explore";

const SEED = 4;
const MAX_STEPS = 4;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "explorer-workerd-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("explorer on workerd", () => {
  it("runs the in-process explorer's schedules on the real runtime and reports what it ran", { timeout: 60_000 }, async () => {
    const generated = fc.sample(scheduleArbitrary(MAX_STEPS), { seed: SEED, numRuns: 3 });
    const result = await exploreOnWorkerd({ runs: 3, seed: SEED, maxSteps: MAX_STEPS, foundDir: dir });
    expect(result.failure).toBeNull();
    expect(result.schedules).toBe(3);
    expect(result.steps).toBe(generated.reduce((sum, schedule) => sum + schedule.steps.length, 0));
    expect(result.invariantsChecked).toBe(Object.keys(INVARIANTS).length);
    const restartSteps = generated.flatMap((schedule) => schedule.steps).filter((step) => step.do === "restartWorker" || step.do === "rotateSecret").length;
    expect(result.workerd.restarts).toBe(3 + restartSteps);
    const doOutages = generated.flatMap((schedule) => schedule.steps).filter((step) => step.do === "doOutage").length;
    expect(result.workerd.skipped.doOutage ?? 0).toBe(doOutages);
  });

  it("reports a deliberately broken trace, shrinks within its budget and writes a replayable workerd file", { timeout: 60_000 }, async () => {
    const result = await exploreOnWorkerd({
      runs: 2,
      seed: SEED,
      maxSteps: MAX_STEPS,
      foundDir: dir,
      maxShrinkRuns: 2,
      // One request the Worker "answered" with a bare 500: not an envelope, never allowed.
      tamper(trace) {
        const t = trace.epochs[0]!.startedAt;
        trace.exchanges.push({
          step: 0, epoch: 0, label: "planted", requestId: "req-planted-0", method: "GET", path: "/api/v2/sync/pull", jar: null,
          startedAt: t, headersAt: t, endedAt: t, status: 500, retryAfter: null, responseRequestId: "req-planted-0", contentType: "text/plain",
          envelope: null, envelopeProblem: "body is not JSON", sse: null, connected: null, circuit: { state: "closed", open: false, openUntil: null, remainingMs: 0 },
        });
      },
    });
    expect(result.failure?.violation.invariant).toBe("error-envelope");
    expect(result.failure?.violation.message).toContain("req-planted-0");
    expect(result.schedules).toBeLessThanOrEqual(1 + 2);
    const file = JSON.parse(await readFile(result.failure!.file!, "utf8")) as { explorer: { runtime: string } };
    expect(file.explorer.runtime).toBe("workerd");
    const replayable = scheduleFromFound(file);
    expect(replayable.ok && replayable.value.workerVars.VPS_PROXY_CIRCUIT_OPEN_MS).toBe("1000");
  });
});
