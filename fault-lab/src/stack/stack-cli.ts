import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { LOOPBACK_HOST } from "../adapters/node-http";
import { startStack, type StackOptions } from "./stack";

function fail(message: string): never {
  process.stderr.write(`stack: ${message}\n`);
  process.exit(2);
}

/** Upstream URLs always point at the stack's own fakes, whatever a developer's .dev.vars says. */
const STACK_OWNED_VARS = new Set(["VPS_API_ORIGIN", "GEMINI_API_BASE", "OPENROUTER_API_BASE"]);

/** Reads KEY=VALUE lines (worker/.dev.vars) so `npm start` keeps the developer's secret across restarts. */
function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    fail(`--env-file ${path} cannot be read`);
  }
  const vars: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match || STACK_OWNED_VARS.has(match[1]!)) continue;
    vars[match[1]!] = match[2]!.replace(/^(["'])(.*)\1$/, "$2");
  }
  return vars;
}

function parseOptions(argv: string[]): StackOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      persist: { type: "string" },
      seed: { type: "string" },
      var: { type: "string", multiple: true },
      "env-file": { type: "string" },
      quiet: { type: "boolean" },
    },
  });
  const options: StackOptions = { quiet: values.quiet ?? false };
  const port = values.port ?? process.env.STACK_PORT;
  if (port !== undefined) {
    if (!/^\d+$/.test(port) || Number(port) > 65535) fail(`--port must be 0..65535 (got "${port}")`);
    options.workerPort = Number(port);
  }
  const persist = values.persist ?? process.env.STACK_PERSIST_DIR;
  if (persist) options.persistDir = persist;
  const seed = values.seed ?? process.env.LAB_SEED;
  if (seed !== undefined) {
    if (!/^-?\d+$/.test(seed)) fail(`--seed must be an integer (got "${seed}")`);
    options.seed = Number(seed);
  }
  const vars: Record<string, string> = values["env-file"] ? readEnvFile(values["env-file"]) : {};
  for (const pair of values.var ?? []) {
    const index = pair.indexOf("=");
    if (index <= 0) fail(`--var must look like KEY=VALUE (got "${pair.split("=")[0]}")`);
    vars[pair.slice(0, index)] = pair.slice(index + 1);
  }
  if (Object.keys(vars).length > 0) options.workerVars = vars;
  return options;
}

const options = parseOptions(process.argv.slice(2));
const stack = await startStack(options);
let stopping = false;
const shutdown = async (code: number): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  process.exit(code);
};
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
process.on("uncaughtException", (error) => {
  process.stderr.write(`stack: ${error.message}\n`);
  void shutdown(1);
});

process.stdout.write(
  [
    "",
    "PocketBrain local stack is up:",
    `  Worker            ${stack.workerUrl}`,
    `  Diagnostics page  ${stack.workerUrl}/__dev/`,
    `  Metrics           ${stack.workerUrl}/api/v1/metrics`,
    `  Fake backend      ${stack.backendUrl}   (faults: ${stack.backendUrl}/__lab/faults)`,
    `  Fake Gemini       ${stack.geminiUrl}`,
    `  Fake OpenRouter   ${stack.openrouterUrl}`,
    `  State             ${stack.persistDir}`,
    `Every listener binds ${LOOPBACK_HOST} only: nothing here is reachable from another machine.`,
    "Press Ctrl-C to stop.",
    "",
  ].join("\n"),
);
process.stdout.write(
  `STACK_READY ${JSON.stringify({
    workerUrl: stack.workerUrl,
    diagnosticsUrl: `${stack.workerUrl}/__dev/`,
    metricsUrl: `${stack.workerUrl}/api/v1/metrics`,
    backendUrl: stack.backendUrl,
    geminiUrl: stack.geminiUrl,
    openrouterUrl: stack.openrouterUrl,
    persistDir: stack.persistDir,
    bindHost: LOOPBACK_HOST,
  })}\n`,
);
