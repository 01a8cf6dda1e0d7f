import { expect, it } from "vitest";
import { INVARIANTS } from "./index";

it("lists every single-run invariant once, by the names found files and reports use", () => {
  expect(INVARIANTS.map((invariant) => invariant.name)).toEqual(["single-probe", "retry-amplification", "retry-after", "error-envelope", "client-wait", "sse-not-cut", "provider-timeout", "provider-breaker", "sessions-survive-rotation", "metrics-match", "no-secret-leak"]);
  expect(INVARIANTS.every((invariant) => invariant.description.length > 0)).toBe(true);
});
