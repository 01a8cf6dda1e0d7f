import { readdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { err, ok, type Result } from "../result";
import type { Scenario } from "./types";
import { validateScenario } from "./validate";

/** Loads every `<name>.ts` in the folder (files starting with "_" are helpers); errors name file and field. */
export async function loadScenarios(dir: string): Promise<Result<Scenario[]>> {
  const files = (await readdir(dir)).filter((file) => file.endsWith(".ts") && !file.startsWith("_") && !file.endsWith(".test.ts")).sort();
  const scenarios: Scenario[] = [];
  for (const file of files) {
    let module: { default?: unknown };
    try {
      module = (await import(pathToFileURL(join(dir, file)).href)) as { default?: unknown };
    } catch (error) {
      return err(`${file}: cannot be loaded (${error instanceof Error ? error.message : String(error)})`);
    }
    const checked = validateScenario(module.default);
    if (!checked.ok) return err(`${file}: ${checked.error}`);
    if (checked.value.name !== basename(file, ".ts")) return err(`${file}: scenario.name "${checked.value.name}" must match the file name`);
    scenarios.push(checked.value);
  }
  return ok(scenarios);
}
