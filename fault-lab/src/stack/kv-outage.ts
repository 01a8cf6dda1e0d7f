import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

const OFF_SUFFIX = ".lab-outage";

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * A real KV write outage on workerd: Miniflare stores each KV value as a blob file under
 * `<persist>/v3/kv/<namespace>/blobs`; replacing that directory with a plain file makes every
 * `put` fail inside the runtime (`KV PUT failed: 500`), exactly what the Worker sees when KV is
 * down. Reads of stored keys are NOT failed this way (Miniflare then answers null), so the lab's
 * KV outage is a write outage; read failures are covered by the in-process fake KV in unit tests.
 */
export async function setKvWriteOutage(persistDir: string, on: boolean): Promise<void> {
  const kvRoot = join(persistDir, "v3", "kv");
  await mkdir(kvRoot, { recursive: true });
  const namespaces = (await readdir(kvRoot)).filter((name) => !name.startsWith("miniflare-"));
  // Before the first write the namespace folder does not exist yet: create the one from wrangler.toml.
  if (namespaces.length === 0) namespaces.push("00000000000000000000000000000000");
  for (const namespace of namespaces) {
    const blobs = join(kvRoot, namespace, "blobs");
    const parked = blobs + OFF_SUFFIX;
    if (on) {
      if (await exists(parked)) continue;
      await mkdir(blobs, { recursive: true });
      await rename(blobs, parked);
      await writeFile(blobs, "KV outage injected by the fault lab\n");
    } else if (await exists(parked)) {
      await rm(blobs, { force: true });
      await rename(parked, blobs);
    }
  }
}
