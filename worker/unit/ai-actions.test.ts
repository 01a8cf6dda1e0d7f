import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runAiAction, type AiAction } from "../src/ai";
import type { Credential } from "../src/types";
import type { SeenLabRequest } from "../../fault-lab/src/adapters/msw";
import { bodyOf, createTestDeps, gemini, installAiLab, NOW, openrouter, replyWith, reshapedGeminiReply, testContext, type AiLab, type TestDeps } from "./ai-helpers";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

let deps: TestDeps;
let lab: AiLab;
beforeEach(() => {
  deps = createTestDeps();
  lab = installAiLab(server, deps);
});

const DAY = 86_400_000;

/** Runs `action` against a provider that answers `text`; returns the body and what the provider saw. */
async function run(action: AiAction, body: Record<string, unknown>, text: string, credential: Credential = gemini) {
  lab.script(credential, replyWith(credential, text));
  const result = await runAiAction(testContext({}, deps), action, body, credential);
  return { result, seen: lab.seenBy(credential) };
}

const promptOf = (seen: SeenLabRequest): string => JSON.stringify(bodyOf(seen));

describe.each([gemini, openrouter])("action shapes ($provider)", (credential) => {
  it("analyze normalises the model's JSON into {result:{title,tags,type,dueDate?,priority?}}", async () => {
    const answer = '```json\n{"title":"Call dentist","tags":["health","#Health","calls","phone"],"type":"task","dueDate":"2026-11-05","priority":"high"}\n```';
    const { result, seen } = await run("analyze", { content: "call dentist thursday, urgent" }, answer, credential);
    expect(result).toEqual({ result: { title: "Call dentist", tags: ["health", "calls", "phone"], type: "TASK", dueDate: "2026-11-05", priority: "urgent" } });
    expect(promptOf(seen[0]!)).toContain("call dentist thursday, urgent");
    expect(promptOf(seen[0]!)).toContain("2026-11-02");
  });

  it("analyze drops an invalid due date and an unknown priority, and defaults the type", async () => {
    const { result } = await run("analyze", { content: "x" }, '{"title":"","tags":"a","type":"memo","dueDate":"Friday","priority":"meh"}', credential);
    expect(result).toEqual({ result: { title: "Quick Note", tags: ["a"], type: "NOTE" } });
  });

  it("batch answers {results:[{content,title,tags,type}]}", async () => {
    const answer = 'Here: [{"content":"buy milk","title":"Milk","tags":["shop"],"type":"TASK"},{"content":"app idea","title":"Idea","tags":[],"type":"IDEA"},{"title":"no content"}]';
    const { result } = await run("batch", { content: "buy milk. app idea" }, answer, credential);
    expect(result).toEqual({
      results: [
        { content: "buy milk", title: "Milk", tags: ["shop"], type: "TASK" },
        { content: "app idea", title: "Idea", tags: [], type: "IDEA" },
        // As the original: an item without text stands for the whole input.
        { content: "buy milk. app idea", title: "no content", tags: [], type: "NOTE" },
      ],
    });
  });

  it("batch also accepts an object wrapping the items", async () => {
    const { result } = await run("batch", { content: "x" }, '{"items":[{"content":"a","title":"A","tags":["t"],"type":"NOTE"}]}', credential);
    expect(result).toEqual({ results: [{ content: "a", title: "A", tags: ["t"], type: "NOTE" }] });
  });

  it("cleanup answers {result:{cleanedText}} in single mode and adds items in batch mode", async () => {
    expect((await run("cleanup", { content: "helo wrld" }, '{"cleanedText":"Hello world.","items":["x"]}', credential)).result).toEqual({
      result: { cleanedText: "Hello world." },
    });
    const batch = await run("cleanup", { content: "milk eggs", mode: "batch" }, '{"cleanedText":"Milk, eggs.","items":["Milk"," Eggs ",3,""]}', credential);
    expect(batch.result).toEqual({ result: { cleanedText: "Milk, eggs.", items: ["Milk", "Eggs"] } });
  });

  it("search answers {result:string} from the notes it was given", async () => {
    const notes = [{ id: "n1", title: "Wifi", content: "password is hunter2", type: "NOTE", createdAt: NOW - DAY, isCompleted: false }];
    const { result, seen } = await run("search", { query: "what is the wifi password?", notes }, "  It's hunter2.  ", credential);
    expect(result).toEqual({ result: "It's hunter2." });
    expect(promptOf(seen[0]!)).toContain("[ID: n1]");
    expect(promptOf(seen[0]!)).toContain("what is the wifi password?");
  });

  it("daily-brief answers {result:string} about overdue, due and captured notes", async () => {
    const notes = [
      { title: "Pay rent", content: "rent", type: "TASK", dueDate: NOW - 2 * DAY, isCompleted: false },
      { title: "Old done", content: "x", type: "TASK", dueDate: NOW - DAY, isCompleted: true },
      { title: "Fresh idea", content: "y", type: "IDEA", createdAt: NOW - 60_000 },
    ];
    const { result, seen } = await run("daily-brief", { notes }, "Pay the rent first.", credential);
    expect(result).toEqual({ result: "Pay the rent first." });
    const prompt = promptOf(seen[0]!);
    expect(prompt).toContain("OVERDUE (1)");
    expect(prompt).toContain("Pay rent");
    expect(prompt).toContain("CAPTURED TODAY (1)");
    expect(prompt).not.toContain("Old done");
  });
});

describe("daily-brief without anything relevant", () => {
  it.each([
    ["no notes field", {}],
    ["an empty list", { notes: [] }],
    ["only future, completed or old notes", { notes: [{ content: "a", dueDate: NOW + 3 * DAY }, { content: "b", dueDate: NOW - DAY, isCompleted: true }, { content: "c", createdAt: NOW - 5 * DAY }] }],
  ])("answers {result:null} without a provider call for %s", async (_label, body) => {
    expect(await runAiAction(testContext({}, deps), "daily-brief", body, gemini)).toEqual({ result: null });
    expect(lab.network.seen).toHaveLength(0);
  });
});

describe("transcribe", () => {
  const body = { audioBase64: "UklGRiQAAABXQVZF", mimeType: "audio/wav", language: "en" };

  it("sends the audio to Gemini as inlineData and answers {result:string}", async () => {
    const { result, seen } = await run("transcribe", body, "hello there\n");
    expect(result).toEqual({ result: "hello there" });
    const contents = bodyOf(seen[0]!).contents as { parts: unknown[] }[];
    expect(contents[0]!.parts).toContainEqual({ inlineData: { mimeType: "audio/wav", data: "UklGRiQAAABXQVZF" } });
  });

  it("refuses an OpenRouter credential with 400 and makes no call", async () => {
    await expect(runAiAction(testContext({}, deps), "transcribe", body, openrouter)).rejects.toMatchObject({ code: "BAD_REQUEST", status: 400 });
    expect(lab.network.seen).toHaveLength(0);
  });
});

describe("unusable provider output", () => {
  it.each([
    ["analyze", { content: "x" }, "I think this is a task."],
    ["analyze", { content: "x" }, '"just a string"'],
    ["cleanup", { content: "x" }, '{"items":["no cleanedText"]}'],
  ] as [AiAction, Record<string, unknown>, string][])("%s with %j → 502 PROVIDER_UNAVAILABLE", async (action, body, text) => {
    lab.script(gemini, replyWith(gemini, text));
    const error = await runAiAction(testContext({}, deps), action, body, gemini).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "PROVIDER_UNAVAILABLE", status: 502, retryable: true, failureCause: undefined });
  });

  it("a Gemini candidate without text (safety block) → 502", async () => {
    lab.script(gemini, reshapedGeminiReply(({ content: _content, ...candidate }) => ({ ...candidate, finishReason: "SAFETY" })));
    await expect(runAiAction(testContext({}, deps), "search", { query: "q" }, gemini)).rejects.toMatchObject({ code: "PROVIDER_UNAVAILABLE", status: 502 });
  });
});

describe("validation happens before any provider call", () => {
  it("throws a 400 naming the field", async () => {
    await expect(runAiAction(testContext({}, deps), "search", { query: "x".repeat(401) }, gemini)).rejects.toMatchObject({
      code: "BAD_REQUEST",
      status: 400,
      message: "query must be at most 400 characters.",
    });
    expect(lab.network.seen).toHaveLength(0);
  });
});
