import fc from "fast-check";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { INT_RULES, checkDeploymentConfig, checkSecret, getConfig, parseConfig } from "./config";
import type { WorkerEnv } from "./env";

const GOOD_SECRET = "q8Zr4mW1xT6vN3pK9bF2hJ7cL5dS0gYa";

function parseDotenv(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) vars[match[1]!] = match[2]!;
  }
  return vars;
}

describe("parseConfig defaults (docs/api.md#environment-variables)", () => {
  it("uses every documented default when nothing is set", () => {
    const config = parseConfig({});
    expect(config.vps).toMatchObject({
      origin: null,
      timeoutMs: 7000,
      retries: 1,
      maxBodyBytes: 524288,
      circuitFailureThreshold: 3,
      circuitOpenMs: 20000,
    });
    expect([...config.vps.noRetryPaths]).toEqual(["/api/v2/events", "/api/v2/events/ticket"]);
    expect(config.providers.defaultModel).toBe("google/gemini-2.5-flash");
    expect(config.providers.geminiApiBase).toBe("https://generativelanguage.googleapis.com");
    expect(config.providers.openrouterApiBase).toBe("https://openrouter.ai");
    expect(config.rateLimit).toEqual({ max: 45, windowMs: 60000 });
    expect(config.allowInsecureDevAuth).toBe(false);
    expect(config.isDevEnv).toBe(false);
  });

  it("treats an empty numeric variable as its default, not as the minimum", () => {
    const config = parseConfig({ VPS_PROXY_TIMEOUT_MS: "", VPS_PROXY_RETRIES: " ", VPS_PROXY_CIRCUIT_OPEN_MS: "" });
    expect(config.vps.timeoutMs).toBe(7000);
    expect(config.vps.retries).toBe(1);
    expect(config.vps.circuitOpenMs).toBe(20000);
  });

  it("reports a refresh interval over half the provider open window (docs/decisions/0006), and accepts the defaults", () => {
    expect(parseConfig({}).problems.map((p) => p.variable)).not.toContain("PROVIDER_CIRCUIT_REFRESH_MS");
    const config = parseConfig({ PROVIDER_CIRCUIT_OPEN_MS: "8000", PROVIDER_CIRCUIT_REFRESH_MS: "5000" });
    expect(config.providers.circuitRefreshMs).toBe(5000);
    expect(config.problems.find((p) => p.variable === "PROVIDER_CIRCUIT_REFRESH_MS")?.message).toMatch(/at most half of PROVIDER_CIRCUIT_OPEN_MS \(8000 ms\)/);
    expect(checkDeploymentConfig({ PROVIDER_CIRCUIT_OPEN_MS: "8000", PROVIDER_CIRCUIT_REFRESH_MS: "5000" }).map((p) => p.variable)).toContain("PROVIDER_CIRCUIT_REFRESH_MS");
  });

  it("treats a non-numeric value as the default and reports the variable", () => {
    const config = parseConfig({ VPS_PROXY_TIMEOUT_MS: "fast" });
    expect(config.vps.timeoutMs).toBe(7000);
    expect(config.problems.map((p) => p.variable)).toContain("VPS_PROXY_TIMEOUT_MS");
  });

  it("clamps out-of-range values", () => {
    const config = parseConfig({ VPS_PROXY_TIMEOUT_MS: "5", VPS_PROXY_RETRIES: "99", VPS_PROXY_MAX_BODY_BYTES: "1" });
    expect(config.vps.timeoutMs).toBe(1000);
    expect(config.vps.retries).toBe(5);
    expect(config.vps.maxBodyBytes).toBe(32768);
  });

  it("replaces the default no-retry list with VPS_PROXY_NO_RETRY_PATHS", () => {
    const config = parseConfig({ VPS_PROXY_NO_RETRY_PATHS: "/api/v2/a, /api/v2/b" });
    expect([...config.vps.noRetryPaths]).toEqual(["/api/v2/a", "/api/v2/b"]);
  });

  it("reads VPS_PROXY_IDEMPOTENT_PATHS (default none) and reports entries that are not exact /api/v2/ paths", () => {
    expect(parseConfig({}).vps.idempotentPaths.size).toBe(0);
    const config = parseConfig({ VPS_PROXY_IDEMPOTENT_PATHS: " /api/v2/sync/push ,/api/v1/ai/analyze, /api/v2/x?y=1 ,," });
    expect([...config.vps.idempotentPaths]).toEqual(["/api/v2/sync/push"]);
    const reported = config.problems.filter((problem) => problem.variable === "VPS_PROXY_IDEMPOTENT_PATHS");
    expect(reported.map((problem) => problem.message)).toEqual([
      '"/api/v1/ai/analyze" is not an exact /api/v2/ path; ignored.',
      '"/api/v2/x?y=1" is not an exact /api/v2/ path; ignored.',
    ]);
  });

  it("accepts https origins and loopback http, rejects other http", () => {
    expect(parseConfig({ VPS_API_ORIGIN: "https://api.example.org/base" }).vps.origin?.origin).toBe("https://api.example.org");
    expect(parseConfig({ VPS_API_ORIGIN: "http://127.0.0.1:9000" }).vps.origin?.origin).toBe("http://127.0.0.1:9000");
    const insecure = parseConfig({ VPS_API_ORIGIN: "http://api.example.org" });
    expect(insecure.vps.origin).toBeNull();
    expect(insecure.vps.originProblem).toMatch(/https/);
  });
});

describe("secrets", () => {
  it.each([
    ["", "missing"],
    ["replace-with-a-real-secret-0000000000", "placeholder"],
    ["your-secret-goes-here-please-1234567", "placeholder"],
    ["this-is-an-example-secret-abcdefghijk", "placeholder"],
    ["0123456789abcdef0123456789abcdef", "placeholder"],
    ["short-but-real-xyz", "too_short"],
  ])("rejects %j as %s in production", (secret, reason) => {
    expect(checkSecret(secret, false)).toEqual({ ok: false, reason });
  });

  it("allows 16 characters in development and test only", () => {
    expect(checkSecret("Zq4mW1xT6vN3pK9b", true).ok).toBe(true);
    expect(checkSecret("Zq4mW1xT6vN3pK9b", false).ok).toBe(false);
  });

  it("ignores a previous secret equal to the active one and says so", () => {
    const config = parseConfig({ KEY_ENCRYPTION_SECRET: GOOD_SECRET, KEY_ENCRYPTION_SECRET_PREV: GOOD_SECRET });
    expect(config.previousSecret).toBeNull();
    expect(config.previousSecretIgnored).toBe(true);
  });

  it("never puts a secret value into a problem message", () => {
    const secret = "short-secret-value";
    const config = parseConfig({ KEY_ENCRYPTION_SECRET: secret, KEY_ENCRYPTION_SECRET_PREV: "replace-with-prev" });
    expect(JSON.stringify(config.problems)).not.toContain(secret);
    expect(JSON.stringify(config.problems)).not.toContain("replace-with-prev");
  });
});

describe("Clerk tuple", () => {
  const full = { CLERK_JWKS_URL: "https://clerk.example.dev/.well-known/jwks.json", CLERK_ISSUER: "https://clerk.example.dev", CLERK_AUDIENCE: "pb" };
  it("is complete with all three", () => expect(parseConfig(full).clerk.state).toBe("complete"));
  it("is partial with two", () => expect(parseConfig({ ...full, CLERK_AUDIENCE: "" }).clerk).toEqual({ state: "partial", missing: ["CLERK_AUDIENCE"] }));
  it("is invalid with an http JWKS URL off loopback", () => expect(parseConfig({ ...full, CLERK_JWKS_URL: "http://clerk.example.dev/jwks" }).clerk.state).toBe("invalid"));
});

describe("deployment rules (config:check:worker)", () => {
  it("requires Clerk and VPS_API_ORIGIN in production", () => {
    const variables = checkDeploymentConfig({ KEY_ENCRYPTION_SECRET: GOOD_SECRET }).map((p) => p.variable);
    expect(variables).toEqual(expect.arrayContaining(["CLERK_JWKS_URL", "VPS_API_ORIGIN"]));
  });
  it("rejects insecure dev auth in production", () => {
    const variables = checkDeploymentConfig({ KEY_ENCRYPTION_SECRET: GOOD_SECRET, ALLOW_INSECURE_DEV_AUTH: "true" }).map((p) => p.variable);
    expect(variables).toContain("ALLOW_INSECURE_DEV_AUTH");
  });
  it("accepts worker/.dev.vars.example as shipped once copied", () => {
    const vars = parseDotenv(readFileSync(new URL("../.dev.vars.example", import.meta.url), "utf8"));
    expect(checkDeploymentConfig(vars as WorkerEnv)).toEqual([]);
  });
});

describe("getConfig memoisation", () => {
  it("re-parses when a variable of the same env object changes", () => {
    const env: WorkerEnv = { VPS_PROXY_RETRIES: "2" };
    expect(getConfig(env).vps.retries).toBe(2);
    env.VPS_PROXY_RETRIES = "4";
    expect(getConfig(env).vps.retries).toBe(4);
  });
});

describe("properties", () => {
  const rules = Object.values(INT_RULES);
  it("every numeric variable is within its clamp range for any input string", () => {
    fc.assert(
      fc.property(fc.constantFrom(...rules), fc.oneof(fc.string(), fc.integer().map(String), fc.double().map(String)), (rule, raw) => {
        const config = parseConfig({ [rule.variable]: raw });
        const value = [config.vps.timeoutMs, config.vps.retries, config.vps.maxBodyBytes, config.vps.circuitFailureThreshold, config.vps.circuitOpenMs,
          config.providers.timeoutMs, config.providers.retries, config.providers.circuitFailureThreshold, config.providers.circuitOpenMs, config.providers.circuitRefreshMs,
          config.rateLimit.max, config.rateLimit.windowMs, config.sessionTtlSeconds];
        for (const v of value) expect(Number.isInteger(v)).toBe(true);
        const key = Object.entries(INT_RULES).find(([, r]) => r === rule)![0];
        const read = {
          vpsTimeoutMs: config.vps.timeoutMs, vpsRetries: config.vps.retries, vpsMaxBodyBytes: config.vps.maxBodyBytes,
          vpsFailureThreshold: config.vps.circuitFailureThreshold, vpsOpenMs: config.vps.circuitOpenMs,
          providerTimeoutMs: config.providers.timeoutMs, providerRetries: config.providers.retries,
          providerFailureThreshold: config.providers.circuitFailureThreshold, providerOpenMs: config.providers.circuitOpenMs,
          providerRefreshMs: config.providers.circuitRefreshMs,
          rateLimitMax: config.rateLimit.max, rateLimitWindowMs: config.rateLimit.windowMs, sessionTtlSeconds: config.sessionTtlSeconds,
        }[key]!;
        expect(read).toBeGreaterThanOrEqual(rule.min);
        expect(read).toBeLessThanOrEqual(rule.max);
        if (raw.trim() === "" || !/^-?\d+(\.\d+)?$/.test(raw.trim())) expect(read).toBe(rule.fallback);
      }),
      { numRuns: 300 },
    );
  });

  it("parseConfig never throws and never echoes a secret in problems", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom("KEY_ENCRYPTION_SECRET", "KEY_ENCRYPTION_SECRET_PREV", "VPS_API_ORIGIN", "CLERK_JWKS_URL", "CLERK_ISSUER", "CLERK_AUDIENCE", "ALLOWED_ORIGINS", "NODE_ENV"), fc.string()), (env) => {
        const config = parseConfig(env);
        const text = JSON.stringify(config.problems);
        for (const name of ["KEY_ENCRYPTION_SECRET", "KEY_ENCRYPTION_SECRET_PREV"] as const) {
          const value = env[name]?.trim();
          if (value && value.length >= 8) expect(text).not.toContain(value);
        }
      }),
      { numRuns: 300 },
    );
  });
});
