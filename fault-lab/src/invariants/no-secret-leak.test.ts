import { describe, expect, it } from "vitest";
import type { Trace } from "../trace/trace";
import { trace } from "../trace/trace-fixtures";
import { noSecretLeak } from "./no-secret-leak";
import { VIRTUAL_CLOCK } from "./types";

const judge = (evidence: Trace) => noSecretLeak.check(evidence, VIRTUAL_CLOCK)[0] ?? null;

describe("no-secret-leak", () => {
  const secret = "AIzaSyExplorer-secret-key-000";

  it("flags a key in a response or a log line, without printing it", () => {
    const leak = judge(trace({ secrets: [secret], logs: [`{"event":"x","key":"${secret}"}`] }));
    expect(leak?.invariant).toBe("no-secret-leak");
    expect(leak?.message).not.toContain(secret);
    expect(judge(trace({ secrets: [secret], wire: [`x-debug: ${secret}`] }))?.message).toMatch(/response #0/);
  });

  it("accepts responses and logs without the key", () => {
    expect(judge(trace({ secrets: [secret], wire: ["content-type: application/json"], logs: ['{"event":"ok"}'] }))).toBeNull();
  });
});
