import { describe, expect, it } from "vitest";
import { analyzeAction } from "./analyze";
import { batchAction } from "./batch";
import { cleanupAction } from "./cleanup";
import { dailyBriefAction } from "./daily-brief";
import { searchAction } from "./search";
import { transcribeAction } from "./transcribe";

const notes = (count: number) => Array.from({ length: count }, () => ({ content: "n" }));

describe("action input validation (400 messages name the field)", () => {
  it.each([
    ["analyze", analyzeAction, {}, "content is required and must be a non-empty string."],
    ["analyze", analyzeAction, { content: "   " }, "content is required and must be a non-empty string."],
    ["analyze", analyzeAction, { content: 5 }, "content is required and must be a non-empty string."],
    ["analyze", analyzeAction, { content: "x".repeat(6001) }, "content must be at most 6000 characters."],
    ["batch", batchAction, { content: "x".repeat(6001) }, "content must be at most 6000 characters."],
    ["cleanup", cleanupAction, { content: "x", mode: "all" }, "mode must be one of 'single', 'batch'."],
    ["search", searchAction, { notes: [] }, "query is required and must be a non-empty string."],
    ["search", searchAction, { query: "q".repeat(401) }, "query must be at most 400 characters."],
    ["daily-brief", dailyBriefAction, { notes: {} }, "notes must be an array."],
    ["transcribe", transcribeAction, { mimeType: "audio/webm" }, "audioBase64 is required and must be a non-empty string."],
    ["transcribe", transcribeAction, { audioBase64: "abc$", mimeType: "audio/webm" }, "audioBase64 must be valid base64."],
    ["transcribe", transcribeAction, { audioBase64: "abcde", mimeType: "audio/webm" }, "audioBase64 must be valid base64."],
    ["transcribe", transcribeAction, { audioBase64: "A".repeat(92_164), mimeType: "audio/webm" }, "audioBase64 must be at most 92160 characters."],
    ["transcribe", transcribeAction, { audioBase64: "AAAA", mimeType: "video/mp4" }, "mimeType must be an audio/* media type."],
    ["transcribe", transcribeAction, { audioBase64: "AAAA" }, "mimeType must be an audio/* media type."],
    ["transcribe", transcribeAction, { audioBase64: "AAAA", mimeType: "audio/ogg", language: "english please" }, "language must be a language tag such as 'en' or 'pt-BR'."],
  ])("%s refuses %j", (_name, action, body, message) => {
    expect(action.parse(body as Record<string, unknown>)).toEqual({ ok: false, error: message });
  });

  it("uses only the first 40 (search) / 60 (daily-brief) notes instead of refusing a long list", () => {
    const search = searchAction.parse({ query: "q", notes: notes(41) });
    const brief = dailyBriefAction.parse({ notes: notes(61) });
    expect(search.ok && (search.value as { notes: unknown[] }).notes).toHaveLength(40);
    expect(brief.ok && (brief.value as { notes: unknown[] }).notes).toHaveLength(60);
  });

  it("accepts the bounds themselves", () => {
    expect(analyzeAction.parse({ content: "x".repeat(6000) }).ok).toBe(true);
    expect(searchAction.parse({ query: "q".repeat(400), notes: notes(40) }).ok).toBe(true);
    expect(dailyBriefAction.parse({ notes: notes(60) }).ok).toBe(true);
    expect(dailyBriefAction.parse({}).ok).toBe(true);
    expect(transcribeAction.parse({ audioBase64: "A".repeat(92_160), mimeType: "audio/webm" }).ok).toBe(true);
  });

  it("defaults cleanup to single mode", () => {
    expect(cleanupAction.parse({ content: "x" })).toEqual({ ok: true, value: { content: "x", mode: "single" } });
  });

  it("strips a data-URL prefix and codec parameters from audio input", () => {
    expect(transcribeAction.parse({ audioBase64: "data:audio/webm;codecs=opus;base64,AAAA", mimeType: "audio/webm;codecs=opus", language: "pt-BR" })).toEqual({
      ok: true,
      value: { audioBase64: "AAAA", mimeType: "audio/webm", language: "pt-BR" },
    });
  });
});
