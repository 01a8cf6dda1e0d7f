import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { INT_RULES } from "../../worker/src/config";
import { DEFAULT_WRANGLER_TOML } from "./paths";
import { applyProductionSettings, PRODUCTION_SETTINGS, routesToml } from "./production-settings";
import { readShippedConfig } from "./shipped-config";
import { readEnvironmentToml, readWranglerToml } from "./wrangler-toml";

const shipped = readFileSync(DEFAULT_WRANGLER_TOML, "utf8");
const value = fc.string({ unit: fc.constantFrom(..."abcXYZ019 -_./:?&=#\"'\\é"), minLength: 1, maxLength: 40 }).filter((text) => text.trim() === text && text !== "");
const settings = fc.dictionary(fc.constantFrom(...PRODUCTION_SETTINGS), value, { maxKeys: 6 });

describe("PRODUCTION_SETTINGS", () => {
  it("lists every numeric tunable the Worker parses, so a deploy ships each one it checks", () => {
    const variables = Object.values(INT_RULES).map((rule) => rule.variable);
    expect(variables.filter((name) => !(PRODUCTION_SETTINGS as readonly string[]).includes(name))).toEqual([]);
  });
});

describe("applyProductionSettings", () => {
  it("writes every setting so wrangler's block reads it back, is idempotent, and leaves the top level alone (property)", () => {
    fc.assert(
      fc.property(settings, settings, (first, second) => {
        const once = applyProductionSettings(shipped, first).text;
        const twice = applyProductionSettings(once, second).text;
        expect(readEnvironmentToml(twice, "production").vars).toEqual({ DEFAULT_MODEL: "google/gemini-2.5-flash", ...first, ...second });
        expect(applyProductionSettings(twice, second)).toEqual({ text: twice, changes: [] });
        expect(readWranglerToml(twice).vars).toEqual(readWranglerToml(shipped).vars);
        for (const line of shipped.split("\n").filter((l) => l.startsWith("#"))) expect(twice).toContain(line);
      }),
    );
  });

  it("reports set, updated and removed settings by name, never by value", () => {
    const set = applyProductionSettings(shipped, { VPS_API_ORIGIN: "https://api.a.org" });
    expect(set.changes).toEqual(["VPS_API_ORIGIN set"]);
    const updated = applyProductionSettings(set.text, { VPS_API_ORIGIN: "https://api.b.org" });
    expect(updated.changes).toEqual(["VPS_API_ORIGIN updated"]);
    const removed = applyProductionSettings(updated.text, { VPS_API_ORIGIN: "" });
    expect(removed.changes).toEqual(["VPS_API_ORIGIN removed"]);
    expect(removed.text).toBe(shipped);
  });

  it("ignores variables that are not production settings (secrets included)", () => {
    expect(applyProductionSettings(shipped, { KEY_ENCRYPTION_SECRET: "s".repeat(40), METRICS_TOKEN: "m".repeat(40), NODE_ENV: "development" }).text).toBe(shipped);
  });

  it("writes WORKER_ROUTES as one inline routes array in [env.production], and asks for the zone", () => {
    const edited = applyProductionSettings(shipped, { WORKER_ROUTES: "a.org/api/*, www.a.org/api/*", WORKER_ZONE_NAME: "a.org" }).text;
    expect(edited).toContain('routes = [{ pattern = "a.org/api/*", zone_name = "a.org" }, { pattern = "www.a.org/api/*", zone_name = "a.org" }]');
    expect(readEnvironmentToml(edited, "production").hasRoutes).toBe(true);
    expect(readWranglerToml(edited).hasRoutes).toBe(false);
    expect(() => routesToml("a.org/api/*", undefined)).toThrow(/WORKER_ZONE_NAME/);
    expect(() => routesToml('a.org/api/*"] , evil = ["', "a.org")).toThrow(/not a route pattern/);
  });
});

describe("applyProductionSettings as wrangler reads it", () => {
  it("quotes, backslashes, # and non-ASCII values read back unchanged through wrangler's own reader", async () => {
    const tricky = { ALLOWED_ORIGINS: 'https://a.org,"x" # not a comment \\ é', DEFAULT_MODEL: "vendor/model:free" };
    const dir = mkdtempSync(join(tmpdir(), "pb-settings-"));
    try {
      const path = join(dir, "wrangler.toml");
      writeFileSync(path, applyProductionSettings(shipped, tricky).text);
      expect((await readShippedConfig(path)).vars).toMatchObject(tricky);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
