import type { Scenario } from "../src/scenario/types";
import { GEMINI_KEY_2, OPENROUTER_KEY } from "./_shared";

/** Reads the Worker's local KV through Miniflare (stack.readKv), not through any Worker route. */
export default {
  name: "no-plaintext-key-in-kv",
  description: "After connecting a Gemini and an OpenRouter key, no KV entry contains either key in clear; sessions are stored under session:<uuid>.",
  seed: 29,
  faults: [],
  traffic: [
    { do: "connect", provider: "gemini", key: GEMINI_KEY_2, as: "jack" },
    { do: "connect", provider: "openrouter", key: OPENROUTER_KEY, as: "kate" },
  ],
  expect: [
    { check: "status", label: "connect-jack", equals: 200 },
    { check: "status", label: "connect-kate", equals: 200 },
    { check: "bodyIncludes", label: "connect-jack", text: "gemini" },
    { check: "kvEntries", prefix: "session:", atLeast: 2 },
    { check: "noPlaintextKeyInKv" },
    { check: "noSecretInWorkerLogs" },
  ],
} satisfies Scenario;
