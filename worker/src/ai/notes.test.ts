import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isEmptySelection, parseNotes, selectBriefNotes, startOfUtcDay, toEpochMs, type NoteInput } from "./notes";

const NOW = Date.UTC(2026, 10, 2, 15, 30);
const TODAY = Date.UTC(2026, 10, 2);
const DAY = 86_400_000;

const note = (fields: Partial<NoteInput>): NoteInput => ({ content: "c", isCompleted: false, isArchived: false, ...fields });

describe("parseNotes", () => {
  it("accepts the PocketBrain note shape, ms or ISO times, and ignores mistyped optional fields", () => {
    const parsed = parseNotes(
      [
        { id: "n1", title: "Dentist", content: "call", type: "task", dueDate: TODAY, createdAt: "2026-11-01T10:00:00Z", isCompleted: false, tags: ["x"] },
        { id: 7, content: "idea", dueDate: "2026-11-03", createdAt: "yesterday", isCompleted: "yes", priority: 3 },
      ],
      40,
    );
    expect(parsed).toEqual({
      ok: true,
      value: [
        { id: "n1", title: "Dentist", content: "call", type: "TASK", dueDateMs: TODAY, createdAtMs: Date.UTC(2026, 10, 1, 10), isCompleted: false, isArchived: false },
        { id: "7", content: "idea", dueDateMs: TODAY + DAY, isCompleted: false, isArchived: false },
      ],
    });
  });

  it.each([
    [undefined, { ok: true, value: [] }],
    ["x", { ok: false, error: "notes must be an array." }],
    [[1], { ok: false, error: "notes[0] must be an object." }],
    [[{ title: "t" }], { ok: false, error: "notes[0].content must be a string." }],
    [[{ content: "ok" }, { content: "x".repeat(6001) }], { ok: false, error: "notes[1].content must be at most 6000 characters." }],
    [[{ content: "", title: "t".repeat(301) }], { ok: false, error: "notes[0].title must be at most 300 characters." }],
    [Array.from({ length: 3 }, (_, i) => ({ content: `n${i}` })), { ok: true, value: [0, 1].map((i) => ({ content: `n${i}`, isCompleted: false, isArchived: false })) }],
  ])("validates %j", (value, expected) => {
    expect(parseNotes(value, 2)).toEqual(expected);
  });

  it("reads times as epoch ms", () => {
    expect(toEpochMs(5)).toBe(5);
    expect(toEpochMs("2026-11-02")).toBe(TODAY);
    expect(toEpochMs(Number.NaN)).toBeUndefined();
    expect(toEpochMs("soon")).toBeUndefined();
  });
});

describe("selectBriefNotes", () => {
  it("picks open overdue and due-today tasks and today's captures by the UTC day of now", () => {
    const overdue = note({ title: "late", dueDateMs: TODAY - 1 });
    const dueToday = note({ title: "today", dueDateMs: TODAY + DAY - 1 });
    const captured = note({ title: "new", createdAtMs: TODAY });
    const selection = selectBriefNotes(
      [
        overdue,
        dueToday,
        captured,
        note({ title: "done", dueDateMs: TODAY - DAY, isCompleted: true }),
        note({ title: "future", dueDateMs: TODAY + DAY, createdAtMs: TODAY - 1 }),
        note({ title: "archived", dueDateMs: TODAY, createdAtMs: TODAY, isArchived: true }),
      ],
      NOW,
    );
    expect(selection).toEqual({ overdue: [overdue], dueToday: [dueToday], capturedToday: [captured] });
  });

  it("is empty when no note is due, overdue or captured today", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ dueOffset: fc.integer({ min: 1, max: 1000 }), createdOffset: fc.integer({ min: 1, max: 1000 }) })), (rows) => {
        const notes = rows.map((row) => note({ dueDateMs: TODAY + DAY * row.dueOffset, createdAtMs: TODAY - DAY * row.createdOffset }));
        expect(isEmptySelection(selectBriefNotes(notes, NOW))).toBe(true);
      }),
    );
  });

  it("treats every instant of a day as the same day", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: DAY - 1 }), (offset) => {
        expect(startOfUtcDay(TODAY + offset)).toBe(TODAY);
      }),
    );
  });
});
