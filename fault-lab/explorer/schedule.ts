/** Moved to fault-lab/src/steps/ (issue 16); this re-export keeps explorer imports working until their owners update the path. */
export * from "../src/steps/schedule";
export { describeStep } from "../src/steps/describe";
export { validateStep } from "../src/steps/validate";
