/** TEMPORARY (issue 16 merge): re-exports the moved module for files other helpers own; delete at merge and point importers at the new path. */
export { firstViolation, INVARIANTS } from "../src/invariants";
