import type { Scenario, Step } from "../src/scenario/types";
import { GEMINI_KEY } from "./_shared";

/** This scenario's own attacker address: the rate-limit buckets persist across scenarios (the DO keeps them). */
const FLOOD_IP = "203.0.113.61";

/** A well-formed session cookie the attacker made up (never issued by the Worker). */
const forged = (index: number): string => `pb_ai_session=00000000-0000-4000-8000-${index.toString(16).padStart(12, "0")}`;

const flood = (index: number): Step => ({
  do: "request",
  label: index < 45 ? "flood-allowed" : "flood-limited",
  method: "POST",
  path: "/api/v1/auth/connect",
  body: { provider: "gemini", apiKey: GEMINI_KEY },
  headers: { "cf-connecting-ip": FLOOD_IP, cookie: forged(index + 1) },
});

export default {
  name: "attack-rate-limit-fresh-cookies",
  description: "Finding 3: 60 connects from one IP, each with a fresh self-made session cookie, share that IP's bucket: the 46th on is 429 RATE_LIMITED. A user on another IP still connects.",
  seed: 154,
  freshWorker: true,
  faults: [],
  traffic: [
    ...Array.from({ length: 60 }, (_, index) => flood(index)),
    { do: "request", label: "honest", method: "POST", path: "/api/v1/auth/connect", body: { provider: "gemini", apiKey: GEMINI_KEY }, headers: { "cf-connecting-ip": "198.51.100.23" } },
  ],
  expect: [
    { check: "status", label: "flood-allowed", equals: 200 },
    { check: "status", label: "flood-limited", equals: 429 },
    { check: "errorCode", label: "flood-limited", equals: "RATE_LIMITED" },
    { check: "status", label: "honest", equals: 200 },
  ],
} satisfies Scenario;
