import { readFileSync, writeFileSync } from "node:fs";
import { ScriptError, type ScriptIo } from "./cli";
import { displayPath } from "./paths";
import { runWrangler, runWranglerOrFail, failureAdvice } from "./wrangler";
import { PRODUCTION_ENV, PRODUCTION_KV_TABLE } from "./production-settings";
import { isRealNamespaceId, readEnvironmentToml, readWranglerToml, setKvNamespaceId } from "./wrangler-toml";

export const KV_BINDING = "AI_SESSIONS";

type IdField = "id" | "preview_id";

/** The namespace id in `wrangler kv namespace create` output: TOML snippet or JSON snippet. Pure. */
export function parseCreatedNamespaceId(output: string, field: IdField = "id"): string | null {
  const toml = new RegExp(`^\\s*${field}\\s*=\\s*"([0-9a-f]{32})"`, "im").exec(output);
  if (toml) return toml[1]!.toLowerCase();
  const json = new RegExp(`"${field}"\\s*:\\s*"([0-9a-f]{32})"`, "i").exec(output);
  return json ? json[1]!.toLowerCase() : null;
}

/** The id of the namespace titled `title` in `wrangler kv namespace list` JSON output. Pure. */
export function findNamespaceIdByTitle(listOutput: string, title: string): string | null {
  const start = listOutput.indexOf("[");
  if (start < 0) return null;
  try {
    const list = JSON.parse(listOutput.slice(start, listOutput.lastIndexOf("]") + 1)) as Array<{ id?: unknown; title?: unknown }>;
    const match = list.find((ns) => ns.title === title && typeof ns.id === "string");
    return match ? (match.id as string) : null;
  } catch {
    return null;
  }
}

/**
 * Makes sure AI_SESSIONS has a real `id` in [[env.production.kv_namespaces]] (the namespace the
 * deployed Worker binds; `preview_id` goes to the top-level entry, which `wrangler dev --remote`
 * reads): does nothing when one
 * is already there, else creates the namespace (reusing one that already exists under the same
 * title, so an interrupted earlier run never leads to a duplicate) and writes the id in place.
 */
export async function ensureKvNamespace(io: ScriptIo, tomlPath: string, field: IdField = "id"): Promise<string> {
  const text = readFileSync(tomlPath, "utf8");
  const facts = field === "id" ? readEnvironmentToml(text, PRODUCTION_ENV) : readWranglerToml(text);
  const current = facts.kvNamespaces.find((ns) => ns.binding === KV_BINDING)?.[field];
  if (isRealNamespaceId(current)) {
    io.out(`  ${KV_BINDING} ${field} is already set in ${displayPath(tomlPath)} (${current}); nothing to create.`);
    return current;
  }
  const topLevel = readWranglerToml(text).kvNamespaces.find((ns) => ns.binding === KV_BINDING)?.id;
  if (field === "id" && isRealNamespaceId(topLevel)) {
    // A config from before [env.production] existed: keep using the namespace it already names.
    writeFileSync(tomlPath, setKvNamespaceId(text, KV_BINDING, "id", topLevel, PRODUCTION_KV_TABLE));
    io.out(`  Copied the top-level ${KV_BINDING} id (${topLevel}) into [env.${PRODUCTION_ENV}] of ${displayPath(tomlPath)}; nothing to create.`);
    return topLevel;
  }
  const preview = field === "preview_id";
  const title = `${KV_BINDING}${preview ? "_preview" : ""}`;
  const created = await runWrangler(io, { args: ["kv", "namespace", "create", KV_BINDING, ...(preview ? ["--preview"] : [])], tomlPath });
  let id: string | null;
  if (created.code === 0) {
    id = parseCreatedNamespaceId(created.stdout + created.stderr, field);
    if (!id) throw new ScriptError(`wrangler created the namespace but no ${field} was found in its output; copy the id from the output above into ${displayPath(tomlPath)}.`);
  } else if (/already exists/i.test(created.stdout + created.stderr)) {
    io.out(`  A namespace titled "${title}" already exists; looking up its id instead of creating a duplicate.`);
    const listed = await runWranglerOrFail(io, { args: ["kv", "namespace", "list"], tomlPath }, "Listing KV namespaces");
    id = findNamespaceIdByTitle(listed.stdout, title);
    if (!id) throw new ScriptError(`namespace "${title}" exists but was not found in \`wrangler kv namespace list\`; put its id into ${displayPath(tomlPath)} by hand.`);
  } else {
    throw new ScriptError([`Creating the KV namespace failed (wrangler exit ${created.code}).`, ...failureAdvice(created.failure ?? "other")].join("\n"));
  }
  writeFileSync(tomlPath, setKvNamespaceId(readFileSync(tomlPath, "utf8"), KV_BINDING, field, id, field === "id" ? PRODUCTION_KV_TABLE : "kv_namespaces"));
  io.out(`  Wrote ${KV_BINDING} ${field} = "${id}" into ${displayPath(tomlPath)}.`);
  return id;
}
