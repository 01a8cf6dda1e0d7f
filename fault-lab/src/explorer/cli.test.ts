import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runExplorerCli } from "./cli";
import { SCHEDULE_VERSION, toFoundScenario } from "../steps/schedule";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "explorer-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await runExplorerCli(argv, (text) => void (out += text), (text) => void (err += text));
  return { code, out, err };
}

const found = (steps: unknown[]) =>
  toFoundScenario({ version: SCHEDULE_VERSION, seed: 5, workerVars: {}, steps: steps as never }, { seed: 5, path: null, invariant: "single-probe", message: "m", runtime: "in-process" });

async function fileWith(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

describe("explorer CLI", () => {
  it("replays a found file exactly: same output twice, exit 0 when every invariant holds", async () => {
    const path = await fileWith("ok.json", found([
      { do: "setFaults", route: "*", server: "backend", faults: [{ kind: "status", status: 503, times: 1, retryAfter: 4 }] },
      { do: "request", label: "s1", path: "/api/v2/sync/pull", concurrency: 2 },
    ]));
    const first = await cli("--replay", path);
    const second = await cli("--replay", path);
    expect(first.code).toBe(0);
    expect(first.out).toContain("every invariant holds");
    expect(second.out).toBe(first.out);
  });

  it("exits 2 naming the field for an unknown fault kind", async () => {
    const path = await fileWith("unknown-kind.json", found([{ do: "setFaults", route: "*", server: "backend", faults: [{ kind: "melt" }] }]));
    const result = await cli("--replay", path);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/steps\[0\]\.faults\[0\]: unknown fault kind "melt"/);
  });

  it("exits 2 for an older format version and for a file that is not JSON", async () => {
    const old = found([{ do: "wait", ms: 1 }]);
    old.explorer.version = 0;
    const oldResult = await cli("--replay", await fileWith("old.json", old));
    expect(oldResult.code).toBe(2);
    expect(oldResult.err).toMatch(/explorer\.version 0 is not supported/);
    const broken = await cli("--replay", await fileWith("broken.json", "{not json"));
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(/is not JSON/);
  });

  it("exits 2 for bad arguments", async () => {
    expect((await cli("--explore", "--runs", "zero")).code).toBe(2);
    expect((await cli("--explore", "--runtime", "mars")).code).toBe(2);
    expect((await cli("--explore", "--bogus")).code).toBe(2);
  });

  it("re-runs an exploration from a seed", async () => {
    const result = await cli("--replay", "3", "--runs", "20");
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/explorer: 20 schedules, \d+ steps, 12 invariants checked/);
    expect(result.out).toMatch(/explorer: \d+ twin runs without the hostile client.s attacks \(isolation\)/);
  });
});
