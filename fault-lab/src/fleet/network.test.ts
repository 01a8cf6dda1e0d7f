import { describe, expect, it } from "vitest";
import { createRng } from "../rng";
import { createObjectQueue, placeIsolates, type Region } from "./network";

describe("object queue", () => {
  it("serves an idle object at once", () => {
    const queue = createObjectQueue(2);
    expect(queue.admit(10)).toEqual({ startMs: 10, doneMs: 12, queueLength: 0 });
    expect(queue.admit(20)).toEqual({ startMs: 20, doneMs: 22, queueLength: 0 });
  });

  it("serves one request at a time, in arrival order, and counts who is ahead", () => {
    const queue = createObjectQueue(5);
    const admitted = [0, 1, 2, 3].map((t) => queue.admit(t));
    expect(admitted.map((entry) => entry.startMs)).toEqual([0, 5, 10, 15]);
    expect(admitted.map((entry) => entry.doneMs)).toEqual([5, 10, 15, 20]);
    expect(admitted.map((entry) => entry.queueLength)).toEqual([0, 1, 2, 3]);
    // The backlog drains: at t=12 the request in service and one waiting are ahead.
    expect(queue.admit(12)).toMatchObject({ startMs: 20, queueLength: 2 });
  });

  it("refuses arrivals out of time order", () => {
    const queue = createObjectQueue(1);
    queue.admit(5);
    expect(() => queue.admit(4)).toThrow(/before the previous one/);
  });

  it("a zero service time never queues", () => {
    const queue = createObjectQueue(0);
    expect([1, 1, 1].map((t) => queue.admit(t).queueLength)).toEqual([0, 0, 0]);
  });
});

describe("isolate placement", () => {
  const regions: Region[] = [
    { name: "near", weight: 3, rttMs: { min: 1, max: 2 } },
    { name: "far", weight: 1, rttMs: { min: 100, max: 200 } },
  ];

  it("is seeded: same seed, same placement", () => {
    expect(placeIsolates(50, createRng(7), regions)).toEqual(placeIsolates(50, createRng(7), regions));
    expect(placeIsolates(50, createRng(7), regions)).not.toEqual(placeIsolates(50, createRng(8), regions));
  });

  it("draws each RTT inside its region's range, in proportion to the weights", () => {
    const placed = placeIsolates(4000, createRng(1), regions);
    for (const isolate of placed) {
      const region = regions.find((candidate) => candidate.name === isolate.region)!;
      expect(isolate.rttMs).toBeGreaterThanOrEqual(region.rttMs.min);
      expect(isolate.rttMs).toBeLessThanOrEqual(region.rttMs.max);
    }
    const near = placed.filter((isolate) => isolate.region === "near").length / placed.length;
    expect(near).toBeGreaterThan(0.7);
    expect(near).toBeLessThan(0.8);
  });

  it("needs a region with weight", () => {
    expect(() => placeIsolates(1, createRng(1), [])).toThrow(/region/);
  });
});
