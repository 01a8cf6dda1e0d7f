import { parseArgs } from "node:util";
import { startStack, type StackOptions } from "./stack";

function fail(message: string): never {
  process.stderr.write(`stack: ${message}\n`);
  process.exit(2);
}

function parseOptions(argv: string[]): StackOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      persist: { type: "string" },
      seed: { type: "string" },
      var: { type: "string", multiple: true },
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
  const vars: Record<string, string> = {};
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
  })}\n`,
);
