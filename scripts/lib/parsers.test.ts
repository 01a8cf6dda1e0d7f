import { describe, expect, it } from "vitest";
import { parseWhoamiAccounts } from "./account";
import { parseEnvFile } from "./env-file";
import { findNamespaceIdByTitle, parseCreatedNamespaceId } from "./kv";
import { readRotationCounters } from "./metrics-client";
import { finishRefusals } from "./rotation-finish";
import { generateSecret } from "./secrets";
import { classifyFailure, wranglerBinary, wranglerEnv } from "./wrangler";

const ID = "3f2a9c1e5b7d4a6c8e0f1a2b3c4d5e6f";

describe("parseCreatedNamespaceId", () => {
  it.each([
    ["TOML snippet", `✨ Success!\n[[kv_namespaces]]\nbinding = "AI_SESSIONS"\nid = "${ID}"\n`],
    ["JSON snippet", `✨ Success!\n{\n  "kv_namespaces": [\n    {\n      "binding": "AI_SESSIONS",\n      "id": "${ID}"\n    }\n  ]\n}`],
  ])("finds the id in the %s", (_form, output) => {
    expect(parseCreatedNamespaceId(output)).toBe(ID);
  });

  it("does not mistake preview_id for id, and finds preview_id when asked", () => {
    const output = `[[kv_namespaces]]\nbinding = "AI_SESSIONS"\npreview_id = "${ID}"\n`;
    expect(parseCreatedNamespaceId(output, "id")).toBeNull();
    expect(parseCreatedNamespaceId(output, "preview_id")).toBe(ID);
    expect(parseCreatedNamespaceId(`{"preview_id": "${ID}"}`, "id")).toBeNull();
  });

  it("finds a namespace id by title in `kv namespace list` output", () => {
    const list = JSON.stringify([{ id: "a".repeat(32), title: "OTHER" }, { id: ID, title: "AI_SESSIONS" }]);
    expect(findNamespaceIdByTitle(list, "AI_SESSIONS")).toBe(ID);
    expect(findNamespaceIdByTitle(list, "AI_SESSIONS_preview")).toBeNull();
  });
});

describe("parseWhoamiAccounts", () => {
  it("reads the account table of plain `wrangler whoami`", () => {
    const table = [
      "┌─────────────────┬──────────────────────────────────┐",
      "│ Account Name    │ Account ID                       │",
      "├─────────────────┼──────────────────────────────────┤",
      `│ PocketBrain Ops │ ${ID} │`,
      "└─────────────────┴──────────────────────────────────┘",
    ].join("\n");
    expect(parseWhoamiAccounts(table)).toEqual([{ name: "PocketBrain Ops", id: ID }]);
  });

  it("reads `wrangler whoami --json`", () => {
    const json = JSON.stringify({ loggedIn: true, accounts: [{ name: "A", id: ID }, { name: "B", id: "b".repeat(32) }] });
    expect(parseWhoamiAccounts(json).map((a) => a.id)).toEqual([ID, "b".repeat(32)]);
  });
});

describe("classifyFailure", () => {
  it.each([
    ["Authentication error [code: 10000]", "auth"],
    ["A request to the Cloudflare API failed. [code: 9106]", "auth"],
    ["Invalid API Token", "auth"],
    ["You are not authorized to perform this action", "auth"],
    ["In a non-interactive environment, it's necessary to set a CLOUDFLARE_API_TOKEN environment variable", "auth"],
    ["✘ [ERROR] fetch failed\n getaddrinfo ENOTFOUND api.cloudflare.com", "network"],
    ["connect ECONNREFUSED 127.0.0.1:443", "network"],
    ["A KV namespace with the title already exists", "other"],
  ])("%j → %s", (output, kind) => {
    expect(classifyFailure(output)).toBe(kind);
  });
});

describe("wrangler helper environment", () => {
  it("uses WRANGLER_BIN when set, else the repo's node_modules/.bin/wrangler", () => {
    expect(wranglerBinary({ WRANGLER_BIN: "/opt/wrangler" })).toBe("/opt/wrangler");
    expect(wranglerBinary({})).toMatch(/node_modules\/\.bin\/wrangler$/);
  });

  it("disables metrics, sets a repo-local config home and strips the encryption secrets", () => {
    const env = wranglerEnv({ KEY_ENCRYPTION_SECRET: "x".repeat(40), KEY_ENCRYPTION_SECRET_PREV: "y".repeat(40), PB_OPS_HOME: "/tmp/home", HOME: "/root" });
    expect(env).toEqual({ HOME: "/root", PB_OPS_HOME: "/tmp/home", WRANGLER_SEND_METRICS: "false", XDG_CONFIG_HOME: "/tmp/home" });
  });
});

describe("parseEnvFile", () => {
  it("reads KEY=value lines with quotes, export and comments", () => {
    const text = '# comment\nexport A=1\nB="two words"\nC=\'lit # x\'\nD=plain # trailing\n\nnot a line\n';
    expect(parseEnvFile(text)).toEqual({ A: "1", B: "two words", C: "lit # x", D: "plain" });
  });
});

describe("rotation decisions", () => {
  const zero = { scanned: 10, current: 10, oldKey: 0, legacy: 0, resealed: 0, tagged: 0, foreign: 0, unreadable: 0, expired: 0, failed: 0 };

  it("allows finishing only when the count finds nothing on the old key, legacy, foreign or unreadable", () => {
    expect(finishRefusals(zero)).toEqual([]);
    expect(finishRefusals({ ...zero, oldKey: 1 })[0]).toMatch(/1 record\(s\) are still sealed under the previous secret/);
    expect(finishRefusals({ ...zero, legacy: 2 })[0]).toMatch(/legacy/);
    expect(finishRefusals({ ...zero, foreign: 3 })[0]).toMatch(/may be the wrong secret/);
    expect(finishRefusals({ ...zero, unreadable: 1, failed: 1 })).toHaveLength(2);
  });

  it("reads the secretRotation counters from the metrics JSON", () => {
    const body = { reliability: { secretRotation: { fallbackDecrypts: 4, reencryptSuccesses: 3, decryptFailures: 1 } } };
    expect(readRotationCounters(body)).toEqual({ fallbackDecrypts: 4, reencryptSuccesses: 3, reencryptFailures: 0, decryptFailures: 1 });
    expect(readRotationCounters({ metrics: {} })).toBeNull();
  });

  it("generates 48-byte base64url secrets", () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(Buffer.from(secret, "base64url")).toHaveLength(48);
    expect(generateSecret()).not.toBe(secret);
  });
});
