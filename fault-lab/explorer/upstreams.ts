// Temporary re-export for importers outside the lab core (moved to src/adapters/in-process.ts); the lead removes it at merge.
export * from "../src/adapters/in-process";
