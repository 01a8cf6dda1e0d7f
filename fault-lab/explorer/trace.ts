/** Moved to fault-lab/src/targets/trace.ts (issue 16); this re-export keeps explorer imports working until their owners update the path. */
export * from "../src/targets/trace";
