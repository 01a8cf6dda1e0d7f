import { parseArgs, type ParseArgsConfig } from "node:util";
import { pathToFileURL } from "node:url";

/**
 * Everything a script touches outside its own logic, injected so tests can run `main` in-process
 * with a captured terminal, a fake wrangler and a manual clock.
 */
export interface ScriptIo {
  argv: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  out(line: string): void;
  err(line: string): void;
  /** Whole stdin when it is piped; null when stdin is a terminal (never block on a TTY). */
  readStdin(): Promise<string | null>;
  fetch: typeof fetch;
  sleep(ms: number): Promise<void>;
  now(): number;
}

export type ScriptMain = (io: ScriptIo) => Promise<number>;

/** A refusal or failure with the message to show; scripts turn it into exit code 1. */
export class ScriptError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "ScriptError";
  }
}

async function readAllStdin(): Promise<string | null> {
  if (process.stdin.isTTY) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export function nodeIo(): ScriptIo {
  return {
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    readStdin: readAllStdin,
    fetch: (input, init) => fetch(input, init),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
  };
}

/** parseArgs with usage errors turned into ScriptError (exit 2). */
export function parseFlags<T extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values;
  } catch (error) {
    throw new ScriptError(`${(error as Error).message}\nUsage: ${usage}`, 2);
  }
}

/** Runs `main`, mapping ScriptError to its exit code and anything else to 1 with a short message. */
export async function runScript(main: ScriptMain, io: ScriptIo): Promise<number> {
  try {
    return await main(io);
  } catch (error) {
    if (error instanceof ScriptError) {
      io.err(`✘ ${error.message}`);
      return error.exitCode;
    }
    io.err(`✘ Unexpected error: ${(error as Error).message ?? String(error)}`);
    return 1;
  }
}

/** True when the module at `moduleUrl` is the process entrypoint (tsx scripts/<name>.ts). */
export function isEntrypoint(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(entry).href === moduleUrl;
}

/** Entrypoint glue shared by every script. */
export async function runAsEntrypoint(moduleUrl: string, main: ScriptMain): Promise<void> {
  if (!isEntrypoint(moduleUrl)) return;
  process.exitCode = await runScript(main, nodeIo());
}
