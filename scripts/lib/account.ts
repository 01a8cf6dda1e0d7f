import { readFileSync, writeFileSync } from "node:fs";
import { ScriptError, type ScriptIo } from "./cli";
import { displayPath } from "./paths";
import { runWranglerOrFail } from "./wrangler";
import { isAccountId, readWranglerToml, setAccountId } from "./wrangler-toml";

export interface AccountRow {
  name: string;
  id: string;
}

/** Accounts from `wrangler whoami --json` or from the table plain `wrangler whoami` prints. Pure. */
export function parseWhoamiAccounts(output: string): AccountRow[] {
  const start = output.indexOf("{");
  if (start >= 0) {
    try {
      const parsed = JSON.parse(output.slice(start, output.lastIndexOf("}") + 1)) as { accounts?: Array<{ name?: unknown; id?: unknown }> };
      if (Array.isArray(parsed.accounts)) {
        return parsed.accounts
          .filter((a) => typeof a.id === "string" && isAccountId(a.id))
          .map((a) => ({ name: String(a.name ?? ""), id: a.id as string }));
      }
    } catch {
      // not JSON: fall through to the table form
    }
  }
  const rows: AccountRow[] = [];
  for (const line of output.split(/\r?\n/)) {
    const match = /^\s*[│|]\s*(.*?)\s*[│|]\s*([0-9a-f]{32})\s*[│|]\s*$/i.exec(line);
    if (match) rows.push({ name: match[1]!, id: match[2]! });
  }
  return rows;
}

/**
 * Fills top-level `account_id`: keeps a valid one already there, else CLOUDFLARE_ACCOUNT_ID, else
 * the single account `wrangler whoami` shows (several accounts → ask for CLOUDFLARE_ACCOUNT_ID).
 */
export async function ensureAccountId(io: ScriptIo, tomlPath: string): Promise<string> {
  const facts = readWranglerToml(readFileSync(tomlPath, "utf8"));
  const fromEnv = io.env.CLOUDFLARE_ACCOUNT_ID?.trim();
  if (fromEnv && !isAccountId(fromEnv)) throw new ScriptError("CLOUDFLARE_ACCOUNT_ID is not a 32-character hex account id.");
  if (isAccountId(facts.accountId)) {
    if (fromEnv && fromEnv !== facts.accountId) {
      throw new ScriptError(`account_id in ${displayPath(tomlPath)} (${facts.accountId}) differs from CLOUDFLARE_ACCOUNT_ID (${fromEnv}). Fix one of them and re-run.`);
    }
    io.out(`  account_id is already set in ${displayPath(tomlPath)} (${facts.accountId}).`);
    return facts.accountId;
  }
  let accountId = fromEnv;
  if (accountId) {
    io.out("  Using CLOUDFLARE_ACCOUNT_ID.");
  } else {
    const whoami = await runWranglerOrFail(io, { args: ["whoami", "--json"], tomlPath }, "Reading the account (wrangler whoami)");
    const accounts = parseWhoamiAccounts(whoami.stdout);
    if (accounts.length === 0) throw new ScriptError("wrangler whoami listed no account for this token. Check CLOUDFLARE_API_TOKEN (Account Settings: Read) or set CLOUDFLARE_ACCOUNT_ID.");
    if (accounts.length > 1) {
      const list = accounts.map((a) => `  - ${a.name} ${a.id}`).join("\n");
      throw new ScriptError(`the token sees ${accounts.length} accounts:\n${list}\nSet CLOUDFLARE_ACCOUNT_ID to the one to deploy to and re-run.`);
    }
    accountId = accounts[0]!.id;
  }
  writeFileSync(tomlPath, setAccountId(readFileSync(tomlPath, "utf8"), accountId));
  io.out(`  Wrote account_id = "${accountId}" into ${displayPath(tomlPath)}.`);
  return accountId;
}
