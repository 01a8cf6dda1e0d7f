import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseTolerantJson } from "./json-tolerant";

const valueOf = (text: string): unknown => {
  const result = parseTolerantJson(text);
  if (!result.ok) throw new Error(`expected JSON in ${JSON.stringify(text)}: ${result.error}`);
  return result.value;
};

const isJson = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** Prose that cannot itself open a JSON container or a fence. */
const prose = fc.string({ unit: fc.constantFrom(..."abc XYZ.,:;!?'\"\n\t-_}]0123456789é") });

describe("parseTolerantJson", () => {
  it.each([
    ['{"title":"A","tags":["x"]}', { title: "A", tags: ["x"] }],
    ['```json\n{"a":1}\n```', { a: 1 }],
    ['Sure! ```\n[1,2]\n``` hope that helps', [1, 2]],
    ['Here you go: {"a":"}{ ]["} trailing', { a: "}{ ][" }],
    ['Note [draft] then {"ok":true}', { ok: true }],
    ['{broken then {"b":2}', { b: 2 }],
    ['"just a string"', "just a string"],
  ])("finds the JSON in %j", (text, expected) => {
    expect(valueOf(text)).toEqual(expected);
  });

  it.each(["", "   ", "no json here", "{unclosed", '```json\n{"a":\n```', "[1, 2"])("reports failure for %j", (text) => {
    expect(parseTolerantJson(text).ok).toBe(false);
  });

  it("never throws on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        const result = parseTolerantJson(text);
        expect(typeof result.ok).toBe("boolean");
      }),
    );
  });

  it("round-trips any JSON value, plain or fenced in prose", () => {
    fc.assert(
      fc.property(fc.jsonValue().filter((value) => !JSON.stringify(value).includes("```")), prose, prose, (value, before, after) => {
        const expected = JSON.parse(JSON.stringify(value)) as unknown;
        expect(valueOf(JSON.stringify(value))).toEqual(expected);
        expect(valueOf(`${before}\n\`\`\`json\n${JSON.stringify(value, null, 2)}\n\`\`\`\n${after}`)).toEqual(expected);
      }),
    );
  });

  it("round-trips any object or array embedded in prose", () => {
    const container = fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.array(fc.jsonValue()));
    fc.assert(
      fc.property(container, prose, prose, (value, before, after) => {
        const text = `${before}${JSON.stringify(value)}${after}`;
        fc.pre(!isJson(text.trim()));
        expect(valueOf(text)).toEqual(JSON.parse(JSON.stringify(value)) as unknown);
      }),
    );
  });

  it("takes the whole output when it is JSON, even if it quotes a container", () => {
    expect(valueOf('"[]"')).toBe("[]");
    expect(valueOf(` ${JSON.stringify('{"a":1} is the answer')} `)).toBe('{"a":1} is the answer');
  });
});
