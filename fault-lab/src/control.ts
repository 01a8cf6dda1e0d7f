// Temporary re-export for importers outside the lab core (moved to control/lab-control.ts); the lead removes it at merge.
export * from "./control/lab-control";
