import { describe, expect, it } from "vitest";
import { METRIC_NAMES, count, countAuthConfig, countCause, countKvFailure, createMetrics, snapshotOf, type CircuitView, type MetricsSnapshot } from "./metrics-core";
import { snakeCase, toPrometheus } from "./metrics-prometheus";

const open = { state: "open", open: true, openUntil: 21_500, remainingMs: 1500 } as const;
const closed = { state: "closed", open: false, openUntil: null, remainingMs: 0 } as const;

/** A fresh isolate's counters for each test. */
let metrics = createMetrics(0);
const snapshotMetrics = (vps: CircuitView, now: number, providers?: Record<string, CircuitView>): MetricsSnapshot => snapshotOf(metrics, vps, now, providers);
const resetMetrics = (): void => {
  metrics = createMetrics(0);
};

function sampleLines(text: string): string[] {
  return text.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
}

describe("Prometheus exposition of the metrics snapshot", () => {
  it("exposes the same numbers as the JSON: counters as _total, causes as labels", () => {
    resetMetrics();
    count(metrics, "requests", 7);
    countCause(metrics, "upstream_5xx");
    countCause(metrics, "provider_timeout");
    countAuthConfig(metrics, "invalidTokens");
    countKvFailure(metrics);
    const text = toPrometheus(snapshotMetrics(open, 2500, { gemini: closed }));
    expect(text).toContain("pocketbrain_requests_total 7");
    expect(text).toContain('pocketbrain_failures_total{scope="upstream",cause="upstream_5xx"} 1');
    expect(text).toContain('pocketbrain_failures_total{scope="provider",cause="provider_timeout"} 1');
    expect(text).toContain('pocketbrain_auth_config_events_total{event="invalid_tokens"} 1');
    expect(text).toContain("pocketbrain_kv_failures_total 1");
    expect(text).toContain("pocketbrain_vps_proxy_5xx_passthrough_total 0");
  });

  it("gives circuits a state set and the open window in seconds, the vps circuit and each provider's", () => {
    resetMetrics();
    const text = toPrometheus(snapshotMetrics(open, 0, { gemini: closed }));
    expect(text).toContain('pocketbrain_circuit_state{circuit="vps",state="open"} 1');
    expect(text).toContain('pocketbrain_circuit_state{circuit="vps",state="closed"} 0');
    expect(text).toContain('pocketbrain_circuit_state{circuit="gemini",state="closed"} 1');
    expect(text).toContain('pocketbrain_circuit_open_remaining_seconds{circuit="vps"} 1.5');
    expect(text).toContain('pocketbrain_circuit_open_remaining_seconds{circuit="gemini"} 0');
  });

  it("uses base units only: no _ms name, seconds for durations", () => {
    resetMetrics();
    const text = toPrometheus(snapshotMetrics(open, 4000));
    expect(text).not.toMatch(/_ms\b/);
    expect(text).toContain("pocketbrain_isolate_uptime_seconds");
  });

  it("has HELP and TYPE before every family, and every counter ends in _total", () => {
    resetMetrics();
    const text = toPrometheus(snapshotMetrics(open, 0, { gemini: closed, openrouter: open }));
    const declared = new Map<string, string>();
    const lines = text.split("\n");
    lines.forEach((line, index) => {
      const type = /^# TYPE (\S+) (counter|gauge)$/.exec(line);
      if (!type) return;
      expect(lines[index - 1]).toMatch(new RegExp(`^# HELP ${type[1]} \\S.{10,}`));
      declared.set(type[1] as string, type[2] as string);
    });
    for (const line of sampleLines(text)) {
      const name = /^[a-z_0-9]+/.exec(line)?.[0] as string;
      expect(declared.has(name), `${name} has no TYPE`).toBe(true);
      if (declared.get(name) === "counter") expect(name).toMatch(/_total$/);
    }
  });

  it("derives a family for every JSON counter, one added later included", () => {
    resetMetrics();
    const snapshot = snapshotMetrics(closed, 0);
    const grown = { ...snapshot, metrics: { ...snapshot.metrics, providerHedgedCalls: 3 } } as MetricsSnapshot;
    const text = toPrometheus(grown);
    for (const name of METRIC_NAMES) expect(text).toMatch(new RegExp(`^pocketbrain_${snakeCase(name)}_total \\d+$`, "m"));
    expect(text).toContain("# HELP pocketbrain_provider_hedged_calls_total Count of providerHedgedCalls events (JSON metrics.providerHedgedCalls).");
    expect(text).toContain("pocketbrain_provider_hedged_calls_total 3");
  });

  it("escapes label values it does not control", () => {
    resetMetrics();
    const text = toPrometheus(snapshotMetrics(closed, 0, { 'we"ird\\name\n': closed }));
    expect(text).toContain('pocketbrain_circuit_open_remaining_seconds{circuit="we\\"ird\\\\name\\n"} 0');
  });
});

describe("docs/grafana-dashboard.json", () => {
  it("queries only series the exposition has", async () => {
    const { readFile } = await import("node:fs/promises");
    const dashboard = JSON.parse(await readFile(new URL("../../docs/grafana-dashboard.json", import.meta.url), "utf8")) as { panels: { targets?: { expr: string }[] }[] };
    resetMetrics();
    const text = toPrometheus(snapshotMetrics(closed, 0, { gemini: closed }));
    const names = new Set(sampleLines(text).map((line) => /^[a-z_0-9]+/.exec(line)?.[0]));
    const labels = new Set([...text.matchAll(/[{,]([a-z_]+)="/g)].map((match) => match[1]));
    const queried = dashboard.panels.flatMap((panel) => panel.targets ?? []).map((target) => target.expr);
    expect(queried.length).toBeGreaterThan(8);
    for (const expr of queried) {
      for (const [name] of expr.matchAll(/pocketbrain_[a-z_0-9]+/g)) expect(names, `${name} in ${expr}`).toContain(name);
      for (const [, label] of expr.matchAll(/by \(([a-z_, ]+)\)/g)) for (const one of (label ?? "").split(/,\s*/)) expect(labels, `label ${one}`).toContain(one);
    }
  });
});
