import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DEFAULT_GEMINI_API_BASE, DEFAULT_OPENROUTER_API_BASE } from "../worker/src/config";
import type { KvStore } from "../worker/src/env";
import { seedRecords } from "../worker/unit/rotation-records";
import { parseFlags, runAsEntrypoint, ScriptError, type ScriptIo } from "./lib/cli";
import { formatProblem } from "./lib/config-rules";
import { displayPath, resolveWranglerToml } from "./lib/paths";
import { PRODUCTION_ENV } from "./lib/production-settings";
import { buildProductionBundle, serveBundle } from "./lib/rehearsal/bundle";
import { BACKEND_ORIGIN, rehearsalCases, runConformance } from "./lib/rehearsal/conformance";
import { startLocalKv, type LocalKv } from "./lib/rehearsal/kv-server";
import { clerkFake, runProbes } from "./lib/rehearsal/probes";
import { startUpstreams } from "./lib/rehearsal/upstreams";
import { readShippedConfig, shippedConfigProblems } from "./lib/shipped-config";
import { runSweep } from "./lib/sweep-client";

const USAGE = "npm run worker:rehearse [-- --config <wrangler.toml>] [--sweep-records <n>]";

/** Only these point outside the Worker; everything else is served exactly as shipped. */
const EXTERNAL_ORIGINS = ["CLERK_JWKS_URL", "VPS_API_ORIGIN", "GEMINI_API_BASE", "OPENROUTER_API_BASE"] as const;
const DEFAULTS: Record<string, string> = { GEMINI_API_BASE: DEFAULT_GEMINI_API_BASE, OPENROUTER_API_BASE: DEFAULT_OPENROUTER_API_BASE };

const throwaway = () => randomBytes(36).toString("base64url");

/** KvStore over the local KV's map, for seeding records the way the Worker stores them. */
function seedingStore(kv: LocalKv): KvStore {
  return {
    get: async (key) => kv.entries.get(key)?.value ?? null,
    put: async (key, value, options) =>
      void kv.entries.set(key, { value, ...(options?.expirationTtl ? { expiration: Math.floor(Date.now() / 1000) + options.expirationTtl } : {}), ...(options?.metadata !== undefined ? { metadata: options.metadata } : {}) }),
    delete: async (key) => void kv.entries.delete(key),
  };
}

/**
 * worker:rehearse — builds the exact production bundle, serves it on bare workerd with the shipped
 * vars and bindings (local KV and Durable Object), rewrites only the external origins to local
 * fakes, then probes that each setting arrived, runs the conformance cases and a re-seal sweep.
 */
export async function main(io: ScriptIo): Promise<number> {
  const flags = parseFlags(io.argv, { config: { type: "string" }, "sweep-records": { type: "string", default: "1000" } }, USAGE);
  const tomlPath = resolveWranglerToml(flags.config, io.env, io.cwd);
  const sweepRecords = Number(flags["sweep-records"]);
  if (!Number.isInteger(sweepRecords) || sweepRecords < 0) throw new ScriptError("--sweep-records must be a whole number.", 2);
  const started = io.now();

  io.out(`Rehearsal 1/6 — what \`wrangler deploy --env ${PRODUCTION_ENV}\` ships from ${displayPath(tomlPath)} (wrangler's own reader)`);
  const shipped = await readShippedConfig(tomlPath, PRODUCTION_ENV);
  const secrets = { KEY_ENCRYPTION_SECRET: throwaway(), KEY_ENCRYPTION_SECRET_PREV: throwaway(), METRICS_TOKEN: throwaway(), ADMIN_TOKEN: throwaway() };
  const problems = shippedConfigProblems(shipped, { secrets, allowWorkersDev: false, dashboardRoutes: (io.env.WORKER_ROUTE_MODE ?? "").trim().toLowerCase() === "dashboard", requireKvId: false });
  if (problems.length > 0) throw new ScriptError([`the production config would not work as shipped:`, ...problems.map(formatProblem)].join("\n"));
  io.out(`  vars: ${Object.keys(shipped.vars).sort().join(", ")}; workers_dev = ${shipped.workersDev}; routes ${shipped.routes.join(", ") || "(dashboard)"}`);

  const dir = await mkdtemp(path.join(os.tmpdir(), "pb-rehearsal-"));
  const stops: (() => Promise<void>)[] = [async () => rm(dir, { recursive: true, force: true })];
  try {
    io.out("Rehearsal 2/6 — build the bundle (wrangler deploy --dry-run --outdir)");
    const bundle = await buildProductionBundle(tomlPath, PRODUCTION_ENV, dir);
    const expected = [...Object.keys(shipped.vars), ...shipped.kvNamespaces.map((kv) => kv.binding), ...shipped.durableObjects.map((d) => d.name)];
    const unannounced = expected.filter((name) => !bundle.announcedBindings.includes(name));
    if (unannounced.length > 0) throw new ScriptError(`wrangler's dry run does not list ${unannounced.join(", ")} among the bindings it would deploy.`);
    io.out(`  ${bundle.modules.join(", ")}; wrangler lists ${bundle.announcedBindings.length} bindings, all that the reader resolved.`);

    io.out("Rehearsal 3/6 — local KV, Durable Object, fakes; rewrite only the external origins");
    const kv = await startLocalKv();
    stops.unshift(() => kv.close());
    const upstreams = await startUpstreams(BACKEND_ORIGIN);
    stops.unshift(() => upstreams.close());
    const vars = { ...shipped.vars };
    const rewrite = (name: string, to: string) => {
      const from = vars[name] ?? `(unset: default ${DEFAULTS[name]})`;
      vars[name] = to;
      io.out(`  rewrite ${name}: ${from} → ${to}`);
    };
    const jwksPath = new URL(shipped.vars.CLERK_JWKS_URL!).pathname;
    rewrite("CLERK_JWKS_URL", `${upstreams.clerk.url}${jwksPath}`);
    rewrite("VPS_API_ORIGIN", upstreams.backend.url);
    rewrite("GEMINI_API_BASE", upstreams.providers.url);
    rewrite("OPENROUTER_API_BASE", upstreams.providers.url);
    const clerk = await clerkFake(vars.CLERK_JWKS_URL!, shipped.vars.CLERK_ISSUER!, shipped.vars.CLERK_AUDIENCE!);
    upstreams.permanent(clerk.handler);
    const unchanged = Object.keys(vars).filter((name) => !(EXTERNAL_ORIGINS as readonly string[]).includes(name));
    io.out(`  unchanged: ${unchanged.sort().join(", ")}`);
    io.out(`  secrets: throwaway ${Object.keys(secrets).join(", ")} (values never printed)`);

    io.out("Rehearsal 4/6 — serve the bundle on bare workerd");
    const served = await serveBundle(bundle, {
      compatibilityDate: shipped.compatibilityDate,
      compatibilityFlags: shipped.compatibilityFlags,
      text: { ...vars, ...secrets },
      kvBindings: shipped.kvNamespaces.map((ns) => ns.binding),
      kvAddress: kv.url,
      durableObjects: shipped.durableObjects,
    });
    stops.unshift(() => served.stop());
    io.out(`  listening on ${served.url}`);

    let failures = 0;
    io.out("Rehearsal 5/6 — every setting reaches the Worker; conformance cases");
    for (const probe of await runProbes(served.url, shipped, upstreams, clerk, secrets.METRICS_TOKEN)) {
      io.out(`  ${probe.ok ? "✔" : "✘"} ${probe.name} (${probe.detail})`);
      if (!probe.ok) failures += 1;
    }
    const { run, skipped } = rehearsalCases(shipped.vars);
    const results = await runConformance(served.url, upstreams, kv, () => served.stderr().split("\n"), run);
    for (const result of results.filter((r) => !r.ok)) io.out(`  ✘ ${result.name}: ${result.detail}`);
    const passed = results.filter((r) => r.ok).length;
    failures += results.length - passed;
    io.out(`  conformance: ${passed}/${results.length} passed (${skipped.length} not run here: per-request env, KV outage, aborted upload, or a premise the shipped config contradicts)`);
    if (upstreams.unhandled.length > 0) io.out(`  note: ${upstreams.unhandled.length} upstream request(s) no case expected (answered with a reset).`);

    io.out(`Rehearsal 6/6 — re-seal sweep of ${sweepRecords} records on workerd`);
    if (sweepRecords > 0) {
      const half = Math.floor(sweepRecords / 2);
      const quarter = Math.floor(half / 4);
      await seedRecords(seedingStore(kv), secrets.KEY_ENCRYPTION_SECRET_PREV, { sessions: { v2: half - 2 * quarter, "v2-no-metadata": quarter, legacy: quarter }, accounts: { v2: sweepRecords - half - 2 * quarter, "v2-no-metadata": quarter, legacy: quarter } }, Date.now());
      const worker = { url: served.url, adminToken: secrets.ADMIN_TOKEN, metricsToken: secrets.METRICS_TOKEN };
      const quiet: ScriptIo = { ...io, out: () => undefined };
      const deletesBefore = kv.deletes.length;
      const sweepStart = performance.now();
      const { totals } = await runSweep(quiet, worker, false);
      const seconds = (performance.now() - sweepStart) / 1000;
      const count = (await runSweep(quiet, worker, true)).totals;
      const deleted = kv.deletes.length - deletesBefore;
      const ok = totals.resealed >= sweepRecords && count.oldKey === 0 && count.legacy === 0 && deleted === 0;
      if (!ok) failures += 1;
      io.out(`  ${ok ? "✔" : "✘"} re-sealed ${totals.resealed} in ${seconds.toFixed(2)} s = ${Math.round(totals.resealed / seconds)} records/s; afterwards ${count.oldKey} on the old key, ${deleted} deleted`);
    }

    const wall = ((io.now() - started) / 1000).toFixed(1);
    if (failures > 0) throw new ScriptError(`rehearsal failed: ${failures} check(s) did not pass (wall time ${wall} s). The production config would not behave as checked.`);
    io.out(`✔ Rehearsal passed in ${wall} s (wall time).`);
    return 0;
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
  }
}

await runAsEntrypoint(import.meta.url, main);
