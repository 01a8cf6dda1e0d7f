/** Child processes started in their own process group, so stop() ends them and anything they spawned. */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import type { Readable } from "node:stream";

export interface Child {
  process: ChildProcess;
  /** Everything the child wrote to stderr (kept short), for error messages. */
  stderr(): string;
  stop(): Promise<void>;
}

export function startChild(command: string, args: string[], options: SpawnOptions = {}): Child {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options, detached: true });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
  });
  return {
    process: child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      signalGroup(child.pid, "SIGTERM");
      const killer = setTimeout(() => signalGroup(child.pid as number, "SIGKILL"), 2000);
      await exited;
      clearTimeout(killer);
    },
  };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Resolves with the first line of `stream` that `match` accepts; rejects after `timeoutMs` or on exit. */
export function waitForLine<T>(
  child: Child,
  stream: Readable,
  match: (line: string) => T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    const finish = (error: Error | null, value?: T) => {
      clearTimeout(timer);
      stream.off("data", onData);
      child.process.off("exit", onExit);
      if (error) reject(error);
      else resolve(value as T);
    };
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        const value = match(line.trim());
        if (value !== undefined) return finish(null, value);
      }
    };
    const onExit = (code: number | null) =>
      finish(new Error(`Failed to start ${what}: it exited (code ${code}). ${child.stderr().trim().slice(-600)}`));
    const timer = setTimeout(
      () => finish(new Error(`Failed to start ${what}: not ready within ${timeoutMs} ms. ${child.stderr().trim().slice(-600)}`)),
      timeoutMs,
    );
    stream.on("data", onData);
    child.process.once("exit", onExit);
  });
}
