import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * Two projects (decision 0001): `unit` imports the Worker in plain Node exactly as the PocketBrain
 * client repo does; `workers` runs the same Worker inside workerd with the real KV and DO bindings
 * from worker/wrangler.toml.
 */
export default defineConfig({
  test: {
    // The Worker logs one JSON line per handled failure; show them only for tests that fail.
    silent: "passed-only",
    projects: [
      {
        test: {
          name: "unit",
          environment: "node",
          include: ["worker/src/**/*.test.ts", "worker/unit/**/*.test.ts", "fault-lab/**/*.test.ts", "scripts/**/*.test.ts", "load/**/*.test.ts"],
          testTimeout: 20_000,
          setupFiles: ["worker/unit/fast-check-setup.ts"],
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./worker/wrangler.toml" },
            miniflare: {
              // Every variable a developer's worker/.dev.vars may set is pinned here, so a local
              // `npm start` (which writes .dev.vars) never changes what the workerd tests see.
              bindings: {
                NODE_ENV: "test",
                ALLOWED_ORIGINS: "",
                VPS_API_ORIGIN: "",
                KEY_ENCRYPTION_SECRET_PREV: "",
                CLERK_JWKS_URL: "",
                CLERK_ISSUER: "",
                CLERK_AUDIENCE: "",
                ALLOW_INSECURE_DEV_AUTH: "",
                KEY_ENCRYPTION_SECRET: "workerd-test-secret-4c1f7a9e2b6d8035",
                GEMINI_API_BASE: "http://127.0.0.1:9",
                OPENROUTER_API_BASE: "http://127.0.0.1:9",
              },
            },
          }),
        ],
        test: {
          name: "workers",
          include: ["worker/test/**/*.test.ts"],
          testTimeout: 20_000,
        },
      },
    ],
  },
});
