// Temporary re-export for importers outside the lab core (moved to src/clock/virtual-clock.ts); the lead removes it at merge.
export * from "../src/clock/virtual-clock";
