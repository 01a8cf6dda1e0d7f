import { describe, expect, it } from "vitest";
import { bearerToken, cookieIdentity } from "./auth";

const UUID = "6b0f7d2a-4c1e-4f8b-9a3d-2e5c7f9b1d40";
const withHeaders = (headers: Record<string, string>) => new Request("http://127.0.0.1/api/v1/auth/status", { headers });

describe("bearerToken", () => {
  it.each([
    ["Bearer abc.def.ghi", "abc.def.ghi"],
    ["bearer   abc.def.ghi  ", "abc.def.ghi"],
    ["Basic dXNlcjpwYXNz", null],
    ["Bearer", null],
    ["Bearer a b", null],
  ])("%j → %j", (header, expected) => {
    expect(bearerToken(withHeaders({ authorization: header }))).toBe(expected);
  });

  it("is null without an Authorization header", () => {
    expect(bearerToken(withHeaders({}))).toBeNull();
  });
});

describe("cookieIdentity", () => {
  it("is the device session for a well-formed uuid cookie", () => {
    expect(cookieIdentity(withHeaders({ cookie: `theme=dark; pb_ai_session=${UUID}` }))).toEqual({ kind: "session", sessionId: UUID });
  });

  it.each([["pb_ai_session=../../account:user_1"], ["pb_ai_session="], ["other=1"], [""]])("is anon for %j", (cookie) => {
    expect(cookieIdentity(withHeaders({ cookie }))).toEqual({ kind: "anon" });
  });
});
