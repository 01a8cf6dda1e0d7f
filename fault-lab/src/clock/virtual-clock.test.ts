import { describe, expect, it } from "vitest";
import { createSimulation } from "./virtual-clock";

describe("virtual clock timeout", () => {
  it("fires at now + ms once only timers are left, in arming order on ties, and never after cancel", async () => {
    const sim = createSimulation(1_000);
    const fired: string[] = [];
    const record = (name: string) => () => void fired.push(`${name}@${sim.now()}`);
    void sim.timeout(12_000).elapsed.then(record("timeout"));
    void sim.sleep(12_000).then(record("sleep"));
    const cancelled = sim.timeout(5_000);
    void cancelled.elapsed.then(record("cancelled"));
    cancelled.cancel();
    void sim.timeout(3_000).elapsed.then(record("short"));
    expect(await sim.runUntil(() => fired.length === 3)).toBe("done");
    expect(fired).toEqual(["short@4000", "timeout@13000", "sleep@13000"]);
  });
});
