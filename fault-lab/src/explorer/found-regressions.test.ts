import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { judgeSchedule } from "./explore";
import { runSchedule } from "../targets/in-process";
import { scheduleFromFound } from "../steps/schedule";

/** Every committed counter-example is a regression test: its replay must hold every invariant (isolation with its twin run). */
const FOUND_DIR = join(import.meta.dirname, "..", "..", "scenarios", "found");
const files = readdirSync(FOUND_DIR).filter((name) => name.endsWith(".json"));

describe("found counter-examples replay clean (in-process)", () => {
  it("has at least one committed counter-example", () => expect(files.length).toBeGreaterThan(0));

  it.each(files)("%s", async (file) => {
    const schedule = scheduleFromFound(JSON.parse(readFileSync(join(FOUND_DIR, file), "utf8")));
    if (!schedule.ok) throw new Error(`${file}: ${JSON.stringify(schedule.error)}`);
    expect((await judgeSchedule(schedule.value, (next) => runSchedule(next), true)).violation).toBeNull();
  });
});
