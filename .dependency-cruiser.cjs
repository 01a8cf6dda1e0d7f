/**
 * The repository's import rules, checked by `npm run typecheck` (dependency-cruiser).
 * A violation names the rule below; the comment on each rule says why it exists.
 */

/**
 * Known lab cycles, removed by the lab redesign of issue 16 (/work/issues/issue-16.md items 2–3:
 * one step model, folders by concept). Listed by exact path so that any NEW cycle, anywhere, still
 * fails. Delete an entry as soon as its cycle is gone; never add one.
 *
 * Module cycle: scenario/assertions.ts ↔ scenario/executor.ts. Each cycle edge is reported from
 * its importing module, so exempting these two as importers exempts this cycle only: a new cycle
 * through any other module is still reported from that module.
 */
const KNOWN_LAB_CYCLE_MODULES = ["^fault-lab/src/scenario/assertions\\.ts$", "^fault-lab/src/scenario/executor\\.ts$"];
/**
 * Folder cycle: fault-lab/src ↔ fault-lab/explorer. The explorer builds on src; these src files
 * import the explorer back (the runner starts the explorer CLI; the timeline reads its traces).
 *
 * fleet/lab-imports.ts is the fleet simulation's one seam onto the explorer's clock, fakes and
 * invariant type (issue 18); it goes once those files have moved into fault-lab/src.
 */
const KNOWN_LAB_SRC_TO_EXPLORER = ["^fault-lab/src/runner\\.ts$", "^fault-lab/src/timeline/from-trace\\.ts$", "^fault-lab/src/timeline/timeline\\.test\\.ts$", "^fault-lab/src/fleet/lab-imports\\.ts$"];

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "Import cycles make load order matter and hide which module owns a concept.",
      from: { pathNot: KNOWN_LAB_CYCLE_MODULES },
      to: { circular: true },
    },
    {
      name: "lab-src-not-explorer",
      severity: "error",
      comment: "fault-lab/explorer builds on fault-lab/src; src importing the explorer back is a folder cycle.",
      from: { path: "^fault-lab/src/", pathNot: KNOWN_LAB_SRC_TO_EXPLORER },
      to: { path: "^fault-lab/explorer/" },
    },
    {
      name: "worker-not-lab-or-tests",
      severity: "error",
      comment: "The deployed Worker must never bundle the lab, the tools or test code (worker/src/*.test.ts may use test helpers).",
      from: { path: "^worker/src/", pathNot: "\\.test\\.ts$" },
      to: { path: ["^fault-lab/", "^e2e/", "^load/", "^scripts/", "\\.(test|spec)\\.ts$", "^worker/(unit|test|conformance)/"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|\\.wrangler|lab-report|test-results|playwright-report)/" },
    // TypeScript 7 (native tsc) has no JS compiler API for dependency-cruiser; swc parses instead.
    parser: "swc",
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
  },
};
