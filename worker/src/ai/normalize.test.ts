import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeDueDate, normalizePriority, normalizeTags, normalizeTitle, normalizeType } from "./normalize";

describe("normalizers", () => {
  it.each([
    ["task", "TASK"],
    [" Idea ", "IDEA"],
    ["NOTE", "NOTE"],
    ["reminder", "NOTE"],
    [undefined, "NOTE"],
    [7, "NOTE"],
  ])("type %j → %s", (value, expected) => {
    expect(normalizeType(value)).toBe(expected);
  });

  it("trims, strips '#', de-duplicates case-insensitively and keeps at most three tags", () => {
    expect(normalizeTags([" #work ", "Work", "", 5, "home", "health", "extra"])).toEqual(["work", "home", "health"]);
    expect(normalizeTags("a, b")).toEqual(["a", "b"]);
    expect(normalizeTags(null)).toEqual([]);
  });

  it("never yields more than three non-empty unique tags", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.integer())), (raw) => {
        const tags = normalizeTags(raw);
        expect(tags.length).toBeLessThanOrEqual(3);
        expect(new Set(tags.map((tag) => tag.toLowerCase())).size).toBe(tags.length);
        for (const tag of tags) expect(tag.trim()).not.toBe("");
      }),
    );
  });

  it.each([
    ["2026-11-05", "2026-11-05"],
    ["2026-11-05T09:30:00Z", "2026-11-05"],
    ["2026-02-30", undefined],
    ["next Tuesday", undefined],
    ["05/11/2026", undefined],
    [null, undefined],
  ])("dueDate %j → %j", (value, expected) => {
    expect(normalizeDueDate(value)).toBe(expected);
  });

  it.each([
    ["urgent", "urgent"],
    ["High", "urgent"],
    ["medium", "normal"],
    ["normal", "normal"],
    ["low", "low"],
    ["whenever", undefined],
    [null, undefined],
  ])("priority %j → %j", (value, expected) => {
    expect(normalizePriority(value)).toBe(expected);
  });

  it("falls back to 'Quick Note' for a missing title and collapses whitespace", () => {
    expect(normalizeTitle("  Buy\n milk ")).toBe("Buy milk");
    expect(normalizeTitle("")).toBe("Quick Note");
    expect(normalizeTitle(undefined)).toBe("Quick Note");
  });
});
