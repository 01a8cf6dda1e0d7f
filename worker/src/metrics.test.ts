import { describe, expect, it } from "vitest";
import { METRIC_NAMES, count, countCause, resetMetrics, snapshotMetrics, toPrometheus } from "./metrics";

const closed = { state: "closed", open: false, openUntil: null, remainingMs: 0 } as const;

describe("metrics snapshot (SPEC §3.8)", () => {
  it("keeps PocketBrain's shape with every counter present", () => {
    resetMetrics();
    const snapshot = snapshotMetrics(closed, Date.now());
    for (const name of ["requests", "authFailures", "providerFailures", "retries", "timeouts", "rateLimited", "circuitOpens", "vpsProxyFailures",
      "vpsProxyTimeouts", "vpsProxyRetries", "vpsProxyCircuitOpens", "vpsProxyCircuitRejects", "vpsProxyNoRetryPathHits",
      "vpsProxyRetryAfterHonored", "vpsProxy5xxPassthrough"]) {
      expect(snapshot.metrics).toHaveProperty(name, 0);
    }
    expect(Object.keys(snapshot.failureCauses.upstream).sort()).toEqual(["circuit_open", "kv_unavailable", "network_error", "origin_unconfigured", "timeout", "upstream_5xx"]);
    expect(Object.keys(snapshot.failureCauses.provider).sort()).toEqual(["provider_5xx", "provider_circuit_open", "provider_network_error", "provider_timeout"]);
    expect(snapshot.reliability.secretRotation).toMatchObject({ fallbackDecrypts: 0, decryptFailures: 0, reencryptSuccesses: 0, reencryptFailures: 0, invalidRotationSecret: 0, invalidEncryptionSecret: 0 });
    expect(snapshot.vpsProxyCircuit).toEqual({ ...closed, openUntil: 0 });
  });

  it("exposes the same numbers as Prometheus text", () => {
    resetMetrics();
    count("requests", 7);
    countCause("upstream_5xx");
    countCause("provider_timeout");
    const text = toPrometheus(snapshotMetrics({ state: "open", open: true, openUntil: 5, remainingMs: 1500 }, 0));
    expect(text).toContain("pocketbrain_requests_total 7");
    expect(text).toContain('pocketbrain_failure_causes_total{scope="upstream",cause="upstream_5xx"} 1');
    expect(text).toContain('pocketbrain_failure_causes_total{scope="provider",cause="provider_timeout"} 1');
    expect(text).toContain('pocketbrain_circuit_state{circuit="vps"} 2');
    expect(text).toContain('pocketbrain_circuit_remaining_ms{circuit="vps"} 1500');
    for (const name of METRIC_NAMES) {
      const snake = name.replace(/[A-Z0-9]+/g, (part) => `_${part.toLowerCase()}`);
      expect(text).toMatch(new RegExp(`^pocketbrain_${snake}_total \\d+$`, "m"));
    }
    expect(text).toContain("pocketbrain_vps_proxy_5xx_passthrough_total 0");
  });
});
