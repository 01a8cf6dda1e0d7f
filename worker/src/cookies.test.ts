import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clearSessionCookie, cookieSecureFor, isSessionId, parseCookies, readCookie, readUniqueCookie, serializeCookie, withoutCookie, sessionCookie } from "./cookies";

const UUID = "3f1c2b9e-8a7d-4c6b-9e5f-0a1b2c3d4e5f";

describe("session cookie", () => {
  it("is HttpOnly, Secure, Path=/, Max-Age and SameSite=Lax in the documented order", () => {
    expect(sessionCookie(UUID, 86400, true)).toBe(`pb_ai_session=${UUID}; HttpOnly; Secure; Path=/; Max-Age=86400; SameSite=Lax`);
  });

  it("drops Secure when asked (plain-http localhost only)", () => {
    expect(sessionCookie(UUID, 86400, false)).toBe(`pb_ai_session=${UUID}; HttpOnly; Path=/; Max-Age=86400; SameSite=Lax`);
  });

  it("clears with an empty value and Max-Age=0", () => {
    expect(clearSessionCookie(true)).toBe("pb_ai_session=; HttpOnly; Secure; Path=/; Max-Age=0; SameSite=Lax");
  });

  it.each([
    ["http://localhost:8787/x", false],
    ["http://127.0.0.1/x", false],
    ["https://localhost/x", true],
    ["http://127.0.0.2/x", true],
    ["http://pocketbrain.app/x", true],
    ["https://pocketbrain.app/x", true],
  ])("Secure for %s is %s", (url, secure) => {
    expect(cookieSecureFor(new URL(url))).toBe(secure);
  });
});

describe("parseCookies", () => {
  it("reads one cookie among others, tolerating spaces and quotes", () => {
    expect(readCookie(`a=1;  pb_ai_session="${UUID}" ; b=2`, "pb_ai_session")).toBe(UUID);
  });

  it("keeps the first of duplicate names, like browsers send the most specific first", () => {
    expect(readCookie("pb_ai_session=first; pb_ai_session=second", "pb_ai_session")).toBe("first");
  });

  it("reads an unambiguous cookie only when it is sent exactly once (cookie tossing)", () => {
    expect(readUniqueCookie(`a=1; pb_ai_session=${UUID}`, "pb_ai_session")).toBe(UUID);
    expect(readUniqueCookie(`pb_ai_session=${UUID}; pb_ai_session=${UUID}`, "pb_ai_session")).toBeUndefined();
    expect(readUniqueCookie(`pb_ai_session=attacker; a=1; pb_ai_session=${UUID}`, "pb_ai_session")).toBeUndefined();
    expect(readUniqueCookie("a=1", "pb_ai_session")).toBeUndefined();
  });

  it("drops every pair of one name and keeps the rest as sent", () => {
    expect(withoutCookie(`pb_ai_session=a; pb_stream_ticket=t%20x; pb_ai_session=b`, "pb_ai_session")).toBe("pb_stream_ticket=t%20x");
    expect(withoutCookie("pb_ai_session=a", "pb_ai_session")).toBeNull();
    expect(withoutCookie(null, "pb_ai_session")).toBeNull();
  });

  it("ignores parts without '=' and invalid names, and survives broken percent-encoding", () => {
    const cookies = parseCookies("junk; bad name=1; ok=%E0%A4%A; x=");
    expect([...cookies.entries()]).toEqual([
      ["ok", "%E0%A4%A"],
      ["x", ""],
    ]);
  });

  it("returns an empty map for a missing header", () => {
    expect(parseCookies(null).size).toBe(0);
  });
});

describe("isSessionId", () => {
  it.each([
    [UUID, true],
    [UUID.toUpperCase(), true],
    ["not-a-uuid", true],
    ["session-123", true],
    [`${UUID}x`, true],
    ["x".repeat(128), true],
    ["x".repeat(129), false],
    ["", false],
    [".", false],
    ["..", false],
    ["a/b", false],
    ["a b", false],
    ["a\u0000b", false],
    ["é", false],
    ["a%2Fb", false],
  ])("%s → %s", (value, expected) => {
    expect(isSessionId(value)).toBe(expected);
  });
});

const cookieName = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,20}$/);

describe("properties", () => {
  it("serialize → parse returns the same value for any name and value", () => {
    fc.assert(
      fc.property(cookieName, fc.string({ unit: "grapheme", maxLength: 60 }), fc.nat(1_000_000), (name, value, maxAge) => {
        const header = serializeCookie(name, value, { maxAge });
        const pair = header.split("; ")[0]!;
        expect(readCookie(`other=1; ${pair}`, name)).toBe(name === "other" ? "1" : value);
      }),
      { numRuns: 300 },
    );
  });

  it("a session id is always a bounded, URL-safe KV key suffix", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (value) => {
        if (isSessionId(value)) expect(value).toMatch(/^[A-Za-z0-9._~:@+=-]{1,128}$/);
      }),
      { numRuns: 500 },
    );
  });

  it("parse never throws, whatever the header", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (header) => {
        expect(() => parseCookies(header)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
