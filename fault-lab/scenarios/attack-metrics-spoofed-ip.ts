import type { Scenario } from "../src/scenario/types";

const METRICS = "/api/v1/metrics";

export default {
  name: "attack-metrics-spoofed-ip",
  description: "Finding 4: metrics are not local for a request naming a non-loopback client IP (CF-Connecting-IP or the first X-Forwarded-For), nor for a spoofed CF-Connecting-IP: 127.0.0.1 behind a non-loopback Host: 404. A local call without those headers still gets 200.",
  seed: 155,
  faults: [],
  traffic: [
    { do: "request", label: "remote-cf-ip", path: METRICS, headers: { "cf-connecting-ip": "203.0.113.9" } },
    { do: "request", label: "remote-xff", path: METRICS, headers: { "x-forwarded-for": "203.0.113.9, 127.0.0.1" } },
    { do: "request", label: "spoofed-loopback", path: METRICS, headers: { host: "proxy.example.com", "cf-connecting-ip": "127.0.0.1" } },
    { do: "request", label: "honest", path: METRICS },
  ],
  expect: [
    { check: "status", label: "remote-cf-ip", equals: 404 },
    { check: "errorCode", label: "remote-cf-ip", equals: "NOT_FOUND" },
    { check: "status", label: "remote-xff", equals: 404 },
    { check: "status", label: "spoofed-loopback", equals: 404 },
    { check: "errorCode", label: "spoofed-loopback", equals: "NOT_FOUND" },
    { check: "status", label: "honest", equals: 200 },
    { check: "jsonPath", label: "honest", path: "metrics.requests", type: "number" },
  ],
} satisfies Scenario;
