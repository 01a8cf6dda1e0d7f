import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_WRANGLER_TOML } from "./paths";
import { isRealNamespaceId, readWranglerToml, setAccountId, setKvNamespaceId } from "./wrangler-toml";

const shipped = readFileSync(DEFAULT_WRANGLER_TOML, "utf8");
const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);

describe("readWranglerToml", () => {
  it("reads the shipped file: placeholder KV ids, no account, no live routes, [vars]", () => {
    const facts = readWranglerToml(shipped);
    expect(facts.name).toBe("pocketbrain-ai-proxy");
    expect(facts.accountId).toBeUndefined();
    expect(facts.hasRoutes).toBe(false);
    expect(facts.vars.DEFAULT_MODEL).toBe("google/gemini-2.5-flash");
    expect(facts.kvNamespaces).toEqual([{ binding: "AI_SESSIONS", id: "00000000000000000000000000000000", preview_id: "00000000000000000000000000000000" }]);
    expect(isRealNamespaceId(facts.kvNamespaces[0]!.id)).toBe(false);
  });

  it.each([
    ['routes = [\n  { pattern = "a.org/api/*", zone_name = "a.org" },\n]', true],
    ['route = { pattern = "a.org/api/*", zone_name = "a.org" }', true],
    ['# routes = [{ pattern = "a.org/api/*" }]', false],
    ['[vars]\nroutes = "not top level"', false],
  ])("detects top-level routes in %j → %s", (snippet, expected) => {
    expect(readWranglerToml(`name = "x"\n${snippet}\n`).hasRoutes).toBe(expected);
  });

  it("reads [vars] string, literal, number and boolean values and ignores comments", () => {
    const facts = readWranglerToml(`[vars]\nA = "x # not a comment" # comment\nB = 'lit'\nC = 42\nD = true\n[dev]\nE = "other table"\n`);
    expect(facts.vars).toEqual({ A: "x # not a comment", B: "lit", C: "42", D: "true" });
  });
});

describe("setAccountId", () => {
  it("replaces the commented placeholder line and keeps everything else", () => {
    const edited = setAccountId(shipped, "8a1e3b5c7d9f0a2b4c6d8e0f1a3b5c7d");
    expect(readWranglerToml(edited).accountId).toBe("8a1e3b5c7d9f0a2b4c6d8e0f1a3b5c7d");
    expect(edited.split("\n").length).toBe(shipped.split("\n").length);
    expect(edited).not.toContain("<filled by worker:bootstrap>");
  });

  it("inserts before the first table when there is no line to replace", () => {
    const edited = setAccountId('name = "x"\n[vars]\nA = "1"\n', "0123456789abcdef0123456789abcdef");
    expect(edited).toBe('name = "x"\naccount_id = "0123456789abcdef0123456789abcdef"\n[vars]\nA = "1"\n');
  });

  it("is idempotent and reads back for any id (property)", () => {
    fc.assert(
      fc.property(hex32, hex32, (first, second) => {
        const once = setAccountId(setAccountId(shipped, first), second);
        expect(readWranglerToml(once).accountId).toBe(second);
        expect(setAccountId(once, second)).toBe(once);
        expect(readWranglerToml(once).kvNamespaces).toEqual(readWranglerToml(shipped).kvNamespaces);
      }),
    );
  });
});

describe("setKvNamespaceId", () => {
  it("writes id and preview_id of the AI_SESSIONS entry in place (property)", () => {
    fc.assert(
      fc.property(hex32, hex32, (id, previewId) => {
        const edited = setKvNamespaceId(setKvNamespaceId(shipped, "AI_SESSIONS", "id", id), "AI_SESSIONS", "preview_id", previewId);
        expect(readWranglerToml(edited).kvNamespaces).toEqual([{ binding: "AI_SESSIONS", id, preview_id: previewId }]);
        expect(edited.split("\n").length).toBe(shipped.split("\n").length);
        expect(setKvNamespaceId(edited, "AI_SESSIONS", "id", id)).toBe(edited);
      }),
    );
  });

  it("adds a missing field after the binding line, and a missing entry at the end", () => {
    const noId = '[[kv_namespaces]]\nbinding = "AI_SESSIONS"\n\n[vars]\nA = "1"\n';
    expect(setKvNamespaceId(noId, "AI_SESSIONS", "id", "a".repeat(32))).toBe(`[[kv_namespaces]]\nbinding = "AI_SESSIONS"\nid = "${"a".repeat(32)}"\n\n[vars]\nA = "1"\n`);
    const added = setKvNamespaceId('name = "x"\n', "AI_SESSIONS", "id", "b".repeat(32));
    expect(readWranglerToml(added).kvNamespaces).toEqual([{ binding: "AI_SESSIONS", id: "b".repeat(32) }]);
  });

  it("only touches the entry with the matching binding", () => {
    const two = '[[kv_namespaces]]\nbinding = "OTHER"\nid = "1"\n[[kv_namespaces]]\nbinding = "AI_SESSIONS"\nid = "2"\n';
    const facts = readWranglerToml(setKvNamespaceId(two, "AI_SESSIONS", "id", "c".repeat(32)));
    expect(facts.kvNamespaces).toEqual([{ binding: "OTHER", id: "1" }, { binding: "AI_SESSIONS", id: "c".repeat(32) }]);
  });
});
