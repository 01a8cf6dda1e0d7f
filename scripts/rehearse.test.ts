import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { CASES } from "../worker/conformance/cases";
import { main } from "./rehearse";
import { announcedBindingNames } from "./lib/rehearsal/bundle";
import { rehearsalCases } from "./lib/rehearsal/conformance";
import { rehearsalWorkerdConfig } from "./lib/rehearsal/workerd-config";
import { run } from "./test/helpers";

const FIXTURES = fileURLToPath(new URL("./test/fixtures/", import.meta.url));
const FIXTURE = join(FIXTURES, "production.wrangler.toml");
const variants: string[] = [];
afterEach(() => {
  for (const path of variants.splice(0)) rmSync(path, { force: true });
});

/** A variant of the sample production config beside it (so its relative `main` still resolves). */
function variant(edit: (text: string) => string): string {
  const path = join(FIXTURES, `.variant-${process.pid}-${variants.length}.wrangler.toml`);
  writeFileSync(path, edit(readFileSync(FIXTURE, "utf8")));
  variants.push(path);
  return path;
}

describe("worker:rehearse refuses a config whose settings would not reach the deployed Worker", () => {
  it("fails when VPS_API_ORIGIN is only in the top-level [vars] (not inherited by [env.production])", async () => {
    const config = variant((text) => text.replace(/^VPS_API_ORIGIN = .*\n/m, "").replace("[vars]\n", '[vars]\nVPS_API_ORIGIN = "https://api.pocketbrain.app"\n'));
    const result = await run(main, { argv: ["--config", config], env: { PATH: process.env.PATH } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/would not work as shipped[\s\S]*- worker: VPS_API_ORIGIN is required in production .*\[env.production\]/);
  });

  it("fails when the production block sets ALLOW_INSECURE_DEV_AUTH=true", async () => {
    const config = variant((text) => text.replace("[env.production.vars]\n", '[env.production.vars]\nALLOW_INSECURE_DEV_AUTH = "true"\n'));
    const result = await run(main, { argv: ["--config", config], env: { PATH: process.env.PATH } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("- worker: ALLOW_INSECURE_DEV_AUTH must not be true in production");
  });

  it("fails when [env.production] forgets its KV binding (bindings are not inherited)", async () => {
    const config = variant((text) => text.replace(/\[\[env\.production\.kv_namespaces\]\]\nbinding = "AI_SESSIONS"\nid = "[0-9a-f]+"\n/, ""));
    const result = await run(main, { argv: ["--config", config], env: { PATH: process.env.PATH } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/- worker: kv_namespaces \[env.production\] has no AI_SESSIONS binding/);
  });
});

describe("rehearsal parts", () => {
  it("reads binding names from wrangler's dry-run table", () => {
    const output = "Binding                       Resource\nenv.CONTROL_PLANE_DO (ControlPlaneDO)    Durable Object\nenv.AI_SESSIONS (5f0e…)  KV Namespace\nenv.VPS_API_ORIGIN (\"https://api\")  Environment Variable\n";
    expect(announcedBindingNames(output)).toEqual(["CONTROL_PLANE_DO", "AI_SESSIONS", "VPS_API_ORIGIN"]);
  });

  it("runs every workerd case except in-process-only ones and those whose premise the shipped config contradicts", () => {
    const { run: cases, skipped } = rehearsalCases({ VPS_API_ORIGIN: "https://api.pocketbrain.app" });
    expect(cases.length + skipped.length).toBe(CASES.length);
    expect(cases.length).toBeGreaterThan(50);
    expect(cases.every((c) => c.env === undefined && !c.kvOutage)).toBe(true);
    expect(skipped.some((c) => /without VPS_API_ORIGIN/.test(c.name))).toBe(true);
    expect(rehearsalCases({}).run.some((c) => /without VPS_API_ORIGIN/.test(c.name))).toBe(true);
  });

  it("writes text, KV and Durable Object bindings, and refuses a value capnp cannot hold", () => {
    const base = { modules: ["index.js"], mainModule: "index.js", compatibilityDate: "2026-11-01", compatibilityFlags: ["nodejs_compat"], kvBindings: ["AI_SESSIONS"], kvAddress: "127.0.0.1:1", durableObjects: [{ name: "CONTROL_PLANE_DO", className: "ControlPlaneDO" }] };
    const config = rehearsalWorkerdConfig({ ...base, text: { A: 'quote " and \\ backslash' } });
    expect(config).toContain('(name = "A", text = "quote \\" and \\\\ backslash")');
    expect(config).toContain('(name = "AI_SESSIONS", kvNamespace = "kv")');
    expect(config).toContain('(name = "CONTROL_PLANE_DO", durableObjectNamespace = "ControlPlaneDO")');
    expect(config).toContain("enableSql = true");
    expect(() => rehearsalWorkerdConfig({ ...base, text: { A: "line\nbreak" } })).toThrow(/not printable ASCII/);
  });
});
