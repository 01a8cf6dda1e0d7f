import { spawn } from "node:child_process";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { describe, expect, it } from "vitest";

/** `npm start` / `npm run stack` run this CLI: it must bind loopback only, and say so. */
const CLI = "fault-lab/src/stack/stack-cli.ts";

/** Resolves "refused" or "connected" for a TCP connect to host:port. */
function tryConnect(host: string, port: number): Promise<"refused" | "connected"> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", () => resolve("refused"));
    socket.once("timeout", () => {
      socket.destroy();
      resolve("refused");
    });
  });
}

const externalAddresses = (): string[] =>
  Object.values(networkInterfaces())
    .flat()
    .filter((entry) => entry !== undefined && entry.family === "IPv4" && !entry.internal)
    .map((entry) => entry!.address);

describe("local stack binds 127.0.0.1 only", () => {
  it("prints that it binds 127.0.0.1, every URL is loopback, and no listener answers on this machine's other addresses", { timeout: 90_000 }, async () => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, "--port", "0", "--quiet"], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    try {
      const ready = await new Promise<Record<string, string>>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /STACK_READY (\{.*\})\r?\n/.exec(stdout);
          if (match) resolve(JSON.parse(match[1]!) as Record<string, string>);
        });
        child.once("exit", (code) => reject(new Error(`stack exited with ${code} before STACK_READY`)));
      });
      expect(stdout).toContain("Every listener binds 127.0.0.1 only");
      expect(ready.bindHost).toBe("127.0.0.1");
      const urls = [ready.workerUrl, ready.backendUrl, ready.geminiUrl, ready.openrouterUrl].map((url) => new URL(url!));
      for (const url of urls) expect(url.hostname).toBe("127.0.0.1");
      for (const address of externalAddresses()) {
        for (const url of urls) expect(`${address}:${url.port} ${await tryConnect(address, Number(url.port))}`).toBe(`${address}:${url.port} refused`);
      }
      expect(await tryConnect("127.0.0.1", Number(urls[0]!.port))).toBe("connected");
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
  });
});
