import { describe, expect, it } from "vitest";
import { resetMetrics, snapshotMetrics } from "./metrics";

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
});
