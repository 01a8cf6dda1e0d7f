import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeNewFile } from "./explore";

describe("found files", () => {
  it("never overwrite a committed regression: the same invariant and seed get the next free name", async () => {
    const dir = await mkdtemp(join(tmpdir(), "found-"));
    try {
      await writeFile(join(dir, "provider-timeout-4242.json"), "committed\n");
      expect(await writeNewFile(dir, "provider-timeout-4242", "new\n")).toBe(join(dir, "provider-timeout-4242-2.json"));
      expect(await writeNewFile(dir, "provider-timeout-4242", "newer\n")).toBe(join(dir, "provider-timeout-4242-3.json"));
      expect(await readFile(join(dir, "provider-timeout-4242.json"), "utf8")).toBe("committed\n");
      expect((await readdir(dir)).sort()).toEqual(["provider-timeout-4242-2.json", "provider-timeout-4242-3.json", "provider-timeout-4242.json"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
