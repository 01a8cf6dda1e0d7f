import { describe, expect, it } from "vitest";
import { hashKey } from "../fakes/ai-answers";
import type { StepRecord, Trace } from "../trace/trace";
import { attempt, exchange, trace } from "../trace/trace-fixtures";
import { sessionsSurviveRotation } from "./sessions-survive-rotation";
import { VIRTUAL_CLOCK } from "./types";

const judge = (evidence: Trace) => sessionsSurviveRotation.check(evidence, VIRTUAL_CLOCK)[0] ?? null;

describe("sessions-survive-rotation", () => {
  const steps = [{ do: "connect", provider: "gemini", key: "k", as: "u1" }, { do: "rotateSecret" }, { do: "request", label: "s2", path: "/api/v1/auth/status", as: "u1" }] as const;
  const records = (prevSecret: number | null): StepRecord[] => [
    { index: 0, t: 0, epoch: 0, kvDown: false, doDown: false, activeSecret: 0, prevSecret: null },
    { index: 1, t: 0, epoch: 0, kvDown: false, doDown: false, activeSecret: 0, prevSecret: null },
    { index: 2, t: 0, epoch: 1, kvDown: false, doDown: false, activeSecret: 1, prevSecret },
  ];
  const exchanges = (connected: boolean) => [exchange({ step: 0, path: "/api/v1/auth/connect", method: "POST" }), exchange({ step: 2, path: "/api/v1/auth/status", jar: "u1", connected })];

  it("flags a session lost while its secret is still PREV", () => {
    expect(judge({ ...trace({ exchanges: exchanges(false) }, [...steps]), steps: records(0) })?.invariant).toBe("sessions-survive-rotation");
  });

  it("accepts the session surviving, and its loss once PREV was removed", () => {
    expect(judge({ ...trace({ exchanges: exchanges(true) }, [...steps]), steps: records(0) })).toBeNull();
    expect(judge({ ...trace({ exchanges: exchanges(false) }, [...steps]), steps: records(null) })).toBeNull();
  });

  it("lets a session go whose key the provider itself refused (401/403), and only that one", () => {
    const refused = (keyHash: string) => [attempt({ seq: 1, server: "gemini", route: "/v1beta/models/gemini-2.5-flash:generateContent", status: 403, keyHash })];
    expect(judge({ ...trace({ exchanges: exchanges(false), attempts: refused(hashKey("k")) }, [...steps]), steps: records(0) })).toBeNull();
    expect(judge({ ...trace({ exchanges: exchanges(false), attempts: refused(hashKey("other")) }, [...steps]), steps: records(0) })?.invariant).toBe("sessions-survive-rotation");
  });
});
