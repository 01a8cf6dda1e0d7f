/**
 * A small, dependency-free reader and editor for the subset of TOML that worker/wrangler.toml uses:
 * top-level `account_id` / `route(s)`, `[vars]` scalar values and `[[kv_namespaces]]` ids. Edits
 * rewrite single lines and keep every comment and the rest of the file byte-for-byte.
 */

export interface KvNamespaceEntry {
  binding?: string;
  id?: string;
  preview_id?: string;
}

export interface WranglerTomlFacts {
  name?: string;
  accountId?: string;
  hasRoutes: boolean;
  vars: Record<string, string>;
  kvNamespaces: KvNamespaceEntry[];
}

interface Line {
  text: string;
  /** Table the line belongs to: "" for top level, "vars", "[kv_namespaces]" for array tables. */
  table: string;
  /** Index of the array-table entry (for [[...]] tables). */
  entry: number;
  key?: string;
  rawValue?: string;
}

const HEADER = /^\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]\]?\s*(#.*)?$/;
const KEY_VALUE = /^\s*([A-Za-z0-9_-]+|"[^"]*")\s*=\s*(.*)$/;

function stripComment(value: string): string {
  let quote: string | null = null;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (quote) {
      if (ch === "\\" && quote === '"') i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "#") return value.slice(0, i).trim();
  }
  return value.trim();
}

/** A scalar TOML value as text: basic/literal strings unquoted, numbers/booleans as written. */
export function scalarValue(raw: string): string | undefined {
  const value = stripComment(raw);
  if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
    try {
      return JSON.parse(value) as string;
    } catch {
      return undefined;
    }
  }
  if (value.startsWith("'") && value.endsWith("'") && value.length >= 2) return value.slice(1, -1);
  if (/^[-+]?[0-9_.eE]+$|^(true|false)$/.test(value)) return value.replace(/_/g, "");
  return undefined;
}

function scanLines(text: string): Line[] {
  const counters = new Map<string, number>();
  let table = "";
  let entry = 0;
  return text.split("\n").map((lineText) => {
    const header = HEADER.exec(lineText);
    if (header) {
      const isArray = header[1] === "[[";
      table = isArray ? `[${header[2]}]` : header[2]!;
      entry = isArray ? (counters.get(table) ?? -1) + 1 : 0;
      if (isArray) counters.set(table, entry);
      return { text: lineText, table, entry };
    }
    const kv = KEY_VALUE.exec(lineText);
    if (kv && !lineText.trimStart().startsWith("#")) {
      const key = kv[1]!.startsWith('"') ? kv[1]!.slice(1, -1) : kv[1]!;
      return { text: lineText, table, entry, key, rawValue: kv[2]! };
    }
    return { text: lineText, table, entry };
  });
}

/** Reads what the ops scripts need from wrangler.toml. */
export function readWranglerToml(text: string): WranglerTomlFacts {
  return readFacts(text, "", "vars", "[kv_namespaces]");
}

/** The same facts for one `[env.<name>]` block (routes, vars and KV ids are not inherited there). */
export function readEnvironmentToml(text: string, env: string): WranglerTomlFacts {
  const facts = readFacts(text, `env.${env}`, `env.${env}.vars`, `[env.${env}.kv_namespaces]`);
  const top = readFacts(text, "", "vars", "[kv_namespaces]");
  return { ...facts, name: facts.name ?? top.name, accountId: facts.accountId ?? top.accountId };
}

function readFacts(text: string, topTable: string, varsTable: string, kvTable: string): WranglerTomlFacts {
  const facts: WranglerTomlFacts = { hasRoutes: false, vars: {}, kvNamespaces: [] };
  for (const line of scanLines(text)) {
    if (line.key === undefined) continue;
    const value = scalarValue(line.rawValue ?? "");
    if (line.table === topTable) {
      if (line.key === "name" && value !== undefined) facts.name = value;
      if (line.key === "account_id" && value !== undefined) facts.accountId = value;
      if (line.key === "routes" || line.key === "route") facts.hasRoutes = true;
    } else if (line.table === varsTable && value !== undefined) {
      facts.vars[line.key] = value;
    } else if (line.table === kvTable) {
      const kv = (facts.kvNamespaces[line.entry] ??= {});
      if ((line.key === "binding" || line.key === "id" || line.key === "preview_id") && value !== undefined) kv[line.key] = value;
    }
  }
  for (let i = 0; i < facts.kvNamespaces.length; i++) facts.kvNamespaces[i] ??= {};
  return facts;
}

/** A real KV namespace id: 32 hex characters, not the all-zero placeholder this repo ships. */
export function isRealNamespaceId(id: string | undefined): id is string {
  return id !== undefined && /^[0-9a-f]{32}$/i.test(id) && !/^0+$/.test(id);
}

/** A Cloudflare account id: 32 hex characters. */
export function isAccountId(id: string | undefined): id is string {
  return id !== undefined && /^[0-9a-f]{32}$/i.test(id);
}

/** Sets top-level `account_id`, replacing a live or commented-out line, else inserting before the first table. */
export function setAccountId(text: string, accountId: string): string {
  const lines = scanLines(text);
  const newLine = `account_id = ${JSON.stringify(accountId)}`;
  const live = lines.findIndex((line) => line.table === "" && line.key === "account_id");
  const commented = lines.findIndex((line) => line.table === "" && /^\s*#\s*account_id\s*=/.test(line.text));
  const firstTable = lines.findIndex((line) => HEADER.test(line.text));
  const out = lines.map((line) => line.text);
  if (live >= 0) out[live] = newLine;
  else if (commented >= 0) out[commented] = newLine;
  else out.splice(firstTable >= 0 ? firstTable : out.length, 0, newLine);
  return out.join("\n");
}

/**
 * Sets `id` or `preview_id` of the `[[<arrayTable>]]` entry with `binding` (`kv_namespaces`, or
 * `env.production.kv_namespaces`), appending the entry when it does not exist yet.
 */
export function setKvNamespaceId(text: string, binding: string, field: "id" | "preview_id", id: string, arrayTable = "kv_namespaces"): string {
  const lines = scanLines(text);
  const out = lines.map((line) => line.text);
  const newLine = `${field} = ${JSON.stringify(id)}`;
  const table = `[${arrayTable}]`;
  const bindingLine = lines.findIndex((line) => line.table === table && line.key === "binding" && scalarValue(line.rawValue ?? "") === binding);
  if (bindingLine < 0) {
    const block = ["", `[[${arrayTable}]]`, `binding = ${JSON.stringify(binding)}`, newLine];
    return `${text.replace(/\n*$/, "")}\n${block.join("\n")}\n`;
  }
  const { entry } = lines[bindingLine]!;
  const fieldLine = lines.findIndex((line) => line.table === table && line.entry === entry && line.key === field);
  if (fieldLine >= 0) out[fieldLine] = newLine;
  else out.splice(bindingLine + 1, 0, newLine);
  return out.join("\n");
}

/**
 * Sets `key = <tomlValue>` in table `table` (e.g. "env.production.vars"): an existing line whose
 * value already reads as `same` is left byte-for-byte; another value is replaced on its own line; a
 * new key goes after the table's last key; a missing table is appended. Comments are kept.
 */
export function setTableValue(text: string, table: string, key: string, tomlValue: string, same?: (raw: string) => boolean): string {
  const lines = scanLines(text);
  const out = lines.map((line) => line.text);
  const newLine = `${key} = ${tomlValue}`;
  const existing = lines.findIndex((line) => line.table === table && line.key === key);
  if (existing >= 0) {
    const raw = lines[existing]!.rawValue ?? "";
    if (same ? same(raw) : stripComment(raw) === tomlValue) return text;
    out[existing] = newLine;
    return out.join("\n");
  }
  const header = lines.findIndex((line) => line.table === table && HEADER.test(line.text));
  if (header < 0) return `${text.replace(/\n*$/, "")}\n\n[${table}]\n${newLine}\n`;
  let last = header;
  for (let i = header + 1; i < lines.length && lines[i]!.table === table; i++) if (lines[i]!.key !== undefined) last = i;
  out.splice(last + 1, 0, newLine);
  return out.join("\n");
}

/** Sets a string value (`KEY = "value"`), leaving the line alone when it already reads as `value`. */
export function setTableString(text: string, table: string, key: string, value: string): string {
  return setTableValue(text, table, key, JSON.stringify(value), (raw) => scalarValue(raw) === value);
}

/** Removes `key` from `table`; the file is unchanged when the key is not there. */
export function removeTableKey(text: string, table: string, key: string): string {
  const lines = scanLines(text);
  const index = lines.findIndex((line) => line.table === table && line.key === key);
  if (index < 0) return text;
  return lines.filter((_, i) => i !== index).map((line) => line.text).join("\n");
}

/** Whether `key` in `table` spans one line (a multi-line array cannot be rewritten by line). */
export function isSingleLineValue(text: string, table: string, key: string): boolean {
  const line = scanLines(text).find((l) => l.table === table && l.key === key);
  if (!line) return true;
  const value = stripComment(line.rawValue ?? "");
  return !value.startsWith("[") || value.endsWith("]");
}
