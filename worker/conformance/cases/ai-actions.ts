import { LOCAL } from "../fakes";
import type { ConformanceCase, ProviderReply, RequestSpec } from "../types";
import { connectStep, failure, type Provider } from "./steps";

const AREA = "docs/api.md#ai-actions — PocketBrain shapes";

function action(name: string, provider: Provider, path: string, body: unknown, reply: ProviderReply | undefined, expected: Partial<ConformanceCase["expect"]> & { status: number }): ConformanceCase {
  const request: RequestSpec = { url: `${LOCAL}/api/v1/ai/${path}`, json: body, session: true };
  return { name, spec: AREA, setup: [connectStep(provider)], ...(reply ? { provider: reply } : {}), request, expect: expected };
}

const ANALYSIS = '```json\n{"title":"Plan Lisbon trip","tags":["travel","lisbon","ideas","spare"],"type":"IDEA","dueDate":"2031-05-04","priority":"low"}\n```';
const BATCH = 'Here you go: [{"content":"buy milk","title":"Buy milk","tags":["errand"],"type":"TASK"},{"content":"app for plants","title":"Plant app","tags":["app"],"type":"IDEA"}]';

export const AI_ACTIONS: ConformanceCase[] = [
  action("analyze returns {result:{title,tags≤3,type,dueDate,priority}}", "gemini", "analyze", { content: "maybe a trip to Lisbon in May 2031" }, { text: ANALYSIS }, {
    status: 200,
    json: { result: { title: "Plan Lisbon trip", tags: ["travel", "lisbon", "ideas"], type: "IDEA", dueDate: "2031-05-04", priority: "low" } },
    providerCalls: 1,
  }),
  action("analyze through openrouter returns the same shape", "openrouter", "analyze", { content: "call the bank" }, { text: '{"title":"Call bank","tags":["finance"],"type":"TASK"}' }, {
    status: 200,
    json: { result: { title: "Call bank", tags: ["finance"], type: "TASK" } },
    providerCalls: 1,
  }),
  action("batch returns {results:[{content,title,tags,type}]}", "gemini", "batch", { content: "buy milk. app for plants" }, { text: BATCH }, {
    status: 200,
    json: {
      results: [
        { content: "buy milk", title: "Buy milk", tags: ["errand"], type: "TASK" },
        { content: "app for plants", title: "Plant app", tags: ["app"], type: "IDEA" },
      ],
    },
  }),
  action("cleanup returns {result:{cleanedText}}", "gemini", "cleanup", { content: "buy mlik tmrw" }, { text: '{"cleanedText":"Buy milk tomorrow."}' }, {
    status: 200,
    json: { result: { cleanedText: "Buy milk tomorrow." } },
  }),
  action("cleanup in batch mode returns {result:{cleanedText,items}}", "openrouter", "cleanup", { content: "buy mlik. call mom", mode: "batch" }, { text: '{"cleanedText":"Buy milk. Call mom.","items":["Buy milk.","Call mom."]}' }, {
    status: 200,
    json: { result: { cleanedText: "Buy milk. Call mom.", items: ["Buy milk.", "Call mom."] } },
  }),
  action("transcribe with a gemini key returns {result:string}", "gemini", "transcribe", { audioBase64: "UklGRiQAAABXQVZF", mimeType: "audio/webm;codecs=opus", language: "en" }, { text: "hello world\n" }, {
    status: 200,
    json: { result: "hello world" },
    providerCalls: 1,
  }),
  action("transcribe with an openrouter key is a 400 without a provider call", "openrouter", "transcribe", { audioBase64: "UklGRiQAAABXQVZF", mimeType: "audio/webm" }, { text: "unused" }, {
    ...failure(400, { code: "BAD_REQUEST", retryable: false }),
    providerCalls: 0,
  }),
  action("transcribe with a non-audio mimeType is a 400", "gemini", "transcribe", { audioBase64: "UklGRiQAAABXQVZF", mimeType: "video/mp4" }, { text: "unused" }, {
    ...failure(400, { code: "BAD_REQUEST" }),
    providerCalls: 0,
  }),
  action("search returns {result:string}", "gemini", "search", { query: "what do I need to buy?", notes: [{ id: "n1", content: "buy milk", title: "Milk" }] }, { text: "You need to buy milk." }, {
    status: 200,
    json: { result: "You need to buy milk." },
  }),
  action("daily-brief with an overdue task returns {result:string}", "openrouter", "daily-brief", { notes: [{ content: "pay rent", title: "Rent", type: "TASK", dueDate: "2020-01-01" }] }, { text: "Pay the rent: it is overdue." }, {
    status: 200,
    json: { result: "Pay the rent: it is overdue." },
    providerCalls: 1,
  }),
  action("daily-brief with nothing due or captured today returns {result:null} without a provider call", "gemini", "daily-brief", { notes: [{ content: "someday", dueDate: "2099-01-01" }] }, { text: "unused" }, {
    status: 200,
    json: { result: null },
    providerCalls: 0,
  }),
  action("an input over its bound is a 400 (content > 6000 chars)", "gemini", "analyze", { content: "x".repeat(6001) }, { text: "unused" }, {
    ...failure(400, { code: "BAD_REQUEST" }),
    providerCalls: 0,
  }),
  action("unparseable provider output where JSON is expected is a 502 PROVIDER_UNAVAILABLE", "gemini", "analyze", { content: "a note" }, { text: "Sorry, I am not able to produce JSON today." }, failure(502, { code: "PROVIDER_UNAVAILABLE" })),
];
