import type { Scenario } from "../src/scenario/types";
import { GEMINI_KEY, GEMINI_ROUTE } from "./_shared";

export default {
  name: "ai-actions",
  description: "With a connected Gemini key, analyze/batch/cleanup/search answer in PocketBrain's shapes; daily-brief with no due notes answers null without a provider call.",
  seed: 30,
  faults: [],
  traffic: [
    { do: "connect", provider: "gemini", key: GEMINI_KEY, as: "lena" },
    { do: "request", label: "analyze", path: "/api/v1/ai/analyze", body: { content: "Call the plumber tomorrow" }, as: "lena" },
    { do: "request", label: "batch", path: "/api/v1/ai/batch", body: { content: "Buy milk. Idea: lab report." }, as: "lena" },
    { do: "request", label: "cleanup", path: "/api/v1/ai/cleanup", body: { content: "uh so buy milk i guess" }, as: "lena" },
    { do: "request", label: "search", path: "/api/v1/ai/search", body: { query: "plumber?", notes: [] }, as: "lena" },
    { do: "request", label: "brief", path: "/api/v1/ai/daily-brief", body: { notes: [] }, as: "lena" },
  ],
  expect: [
    { check: "status", label: "analyze", equals: 200 },
    { check: "jsonPath", label: "analyze", path: "result.type", equals: "NOTE" },
    { check: "jsonPath", label: "batch", path: "results", type: "array" },
    { check: "jsonPath", label: "cleanup", path: "result.cleanedText", type: "string" },
    { check: "jsonPath", label: "search", path: "result", type: "string" },
    { check: "jsonPath", label: "brief", path: "result", type: "null" },
    { check: "upstreamAttempts", route: GEMINI_ROUTE, equals: 5 },
  ],
} satisfies Scenario;
