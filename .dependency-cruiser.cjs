/**
 * The repository's import rules, checked by `npm run typecheck` (dependency-cruiser).
 * A violation names the rule below; the comment on each rule says why it exists.
 */

/**
 * The lab by concept (docs/lab-layout.md), lowest layer first: what a fault does and what a fake
 * answers (faults, fakes, clock, control) and the adapters that serve them know nothing of who
 * drives them; the step model, the targets and the scenario runner drive them; the explorer, the
 * fleet simulation and the timeline sit on top; the invariants only read traces.
 */
const LAB_LOWER = ["^fault-lab/src/(faults|fakes|clock|adapters|control)/", "^fault-lab/src/(result|rng)\\.ts$"];
const LAB_DRIVERS = "^fault-lab/src/(steps|targets|scenario|stack|explorer|invariants|fleet|timeline)/";
/** Runtimes that produce traces. */
const LAB_TARGETS = ["^fault-lab/src/(targets|stack|scenario)/"];

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "Import cycles make load order matter and hide which module owns a concept.",
      from: {},
      to: { circular: true },
    },
    {
      name: "lab-lower-layers-not-drivers",
      severity: "error",
      comment: "Faults, fakes, clock, control and adapters are driven; importing a driver (steps, targets, scenario, explorer, invariants…) back is a layer cycle.",
      from: { path: LAB_LOWER },
      to: { path: LAB_DRIVERS },
    },
    {
      name: "invariants-not-targets",
      severity: "error",
      comment: "An invariant judges a trace, whatever runtime made it: it never imports a target (nor the explorer that calls it).",
      from: { path: "^fault-lab/src/invariants/" },
      to: { path: [...LAB_TARGETS, "^fault-lab/src/explorer/"] },
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
