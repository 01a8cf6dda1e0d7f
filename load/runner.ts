/**
 * `npm run load` — the k6 profiles without k6: reads load/profiles.json, starts the local stack with
 * the profile's Worker variables (or uses --base-url), runs rate-limit, overhead and breaker, prints
 * measured vs threshold and exits 1 on any breach (2 when it could not run at all).
 *   npm run load                      smoke profile (< 60 s)
 *   npm run load -- --full            full profile (production limits, ~8 min)
 *   npm run load -- --base-url http://127.0.0.1:8787 [--backend-url http://127.0.0.1:PORT]
 *   npm run load -- --only rate-limit,breaker
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { serveWorkerBundle, type ServedWorker } from "./bench/workerd";
import { runBreaker } from "./lib/breaker";
import { assertLoopback, assertReachable } from "./lib/http";
import { runOverhead } from "./lib/overhead";
import { loadProfile, rateLimitDurationMs, type Profile } from "./lib/profiles";
import { runRateLimit } from "./lib/rate-limit";
import { checksTable, evaluateBreaker, evaluateOverhead, evaluateRateLimit, type Check } from "./lib/thresholds";

const SCENARIOS = ["rate-limit", "overhead", "breaker"] as const;
type Scenario = (typeof SCENARIOS)[number];

interface Targets {
  /** Rate limit: the Worker with its Durable Object (the stack, or --base-url). */
  baseUrl: string;
  /** /api/v2 scenarios: the same Worker on bare workerd when the runner starts things, else --base-url. */
  v2Url: string;
  backendUrl: string | null;
  stop(): Promise<void>;
}

const WRANGLER_TOML = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "worker", "wrangler.toml");

/** The profile's variables that the /api/v2 path reads. */
function v2Vars(profile: Profile, backendUrl: string): Record<string, string> {
  const vars: Record<string, string> = { VPS_API_ORIGIN: backendUrl };
  for (const [name, value] of Object.entries(profile.workerVars)) if (name.startsWith("VPS_PROXY_")) vars[name] = value;
  return vars;
}

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      full: { type: "boolean", default: false },
      profile: { type: "string" },
      "base-url": { type: "string" },
      "backend-url": { type: "string" },
      only: { type: "string" },
    },
  });
  const only = values.only ? values.only.split(",").map((s) => s.trim()) : [...SCENARIOS];
  for (const name of only) if (!SCENARIOS.includes(name as Scenario)) throw new Error(`--only takes ${SCENARIOS.join(", ")} (got "${name}").`);
  if (values.full && values.profile) throw new Error("Use either --full or --profile, not both.");
  return { profile: values.full ? "full" : values.profile, baseUrl: values["base-url"], backendUrl: values["backend-url"], only: only as Scenario[] };
}

/** Worst-case wall time of the profile plus start-up, so a stuck run always ends. */
function watchdogMs(profile: Profile): number {
  const { rateLimit, overhead, breaker } = profile;
  return rateLimitDurationMs(rateLimit) + rateLimit.maxRecoveryMs + rateLimit.windowMs + (overhead.durationSec + breaker.durationSec) * 1000 + 90_000;
}

async function connectTargets(options: ReturnType<typeof parseOptions>, profile: Profile, log: (line: string) => void): Promise<Targets> {
  if (options.baseUrl) {
    const base = assertLoopback(options.baseUrl, "--base-url").origin;
    await assertReachable(base, "the Worker (--base-url)", "Start it with `npm run stack -- --var KEY=VALUE …` (see load/README.md) or drop --base-url to let the runner start one.");
    let backendUrl: string | null = null;
    if (options.backendUrl) {
      backendUrl = assertLoopback(options.backendUrl, "--backend-url").origin;
      await assertReachable(backendUrl, "the fake backend (--backend-url)", "Pass the backendUrl that `npm run stack` printed.");
    }
    log(`target: ${base} (not started here: it must run with the ${profile.name} profile's workerVars)`);
    return { baseUrl: base, v2Url: base, backendUrl, stop: async () => undefined };
  }
  const { startStack } = await import("../fault-lab/src/stack/stack");
  log(`starting the local stack with the ${profile.name} profile's Worker variables…`);
  const stack = await startStack({ workerVars: profile.workerVars, quiet: true });
  log(`stack: worker ${stack.workerUrl}, backend ${stack.backendUrl}`);
  let v2: ServedWorker;
  try {
    // wrangler's dev proxy adds ms and a long tail to every request; the v2 scenarios measure the
    // Worker itself, served like the bench does (bare workerd, production-like).
    v2 = await serveWorkerBundle(WRANGLER_TOML, v2Vars(profile, stack.backendUrl));
  } catch (error) {
    await stack.stop();
    throw error;
  }
  log(`v2 scenarios: the same Worker on bare workerd at ${v2.url} (vars: ${Object.keys(v2Vars(profile, stack.backendUrl)).join(", ")})`);
  return {
    baseUrl: stack.workerUrl,
    v2Url: v2.url,
    backendUrl: stack.backendUrl,
    stop: async () => {
      await v2.stop();
      await stack.stop();
    },
  };
}

async function main(): Promise<number> {
  const started = performance.now();
  const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${line}`);
  let options: ReturnType<typeof parseOptions>;
  let profile: Profile;
  try {
    options = parseOptions(process.argv.slice(2));
    profile = await loadProfile(options.profile);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  log(`profile ${profile.name}: ${profile.description}`);

  let targets: Targets | undefined;
  const watchdog = setTimeout(() => {
    console.error(`load: still running after ${watchdogMs(profile) / 1000} s; stopping.`);
    void (targets?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
  }, watchdogMs(profile));
  watchdog.unref();
  const interrupt = () => void (targets?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);

  try {
    targets = await connectTargets(options, profile, log);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    clearTimeout(watchdog);
    return 2;
  }

  const checks: Check[] = [];
  const skipped: string[] = [];
  try {
    const { baseUrl, v2Url, backendUrl } = targets;
    if (options.only.includes("rate-limit")) {
      checks.push(...evaluateRateLimit(profile.rateLimit, await runRateLimit(baseUrl, profile.rateLimit, Date.now(), log)));
    }
    for (const scenario of ["overhead", "breaker"] as const) {
      if (!options.only.includes(scenario)) continue;
      if (!backendUrl) {
        skipped.push(`${scenario} (needs --backend-url: a fault-lab fake backend)`);
        continue;
      }
      if (scenario === "overhead") checks.push(...evaluateOverhead(profile.overhead, await runOverhead(v2Url, backendUrl, profile.overhead, log)));
      else checks.push(...evaluateBreaker(profile.breaker, await runBreaker(v2Url, backendUrl, profile.breaker, log)));
    }
  } finally {
    await targets.stop();
    clearTimeout(watchdog);
  }

  console.log("");
  console.log(checksTable(checks));
  for (const line of skipped) console.log(`skipped: ${line}`);
  const breaches = checks.filter((c) => !c.pass).length;
  console.log(`\nload ${profile.name}: ${checks.length - breaches} passed, ${breaches} failed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return breaches > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(2);
  },
);
