import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromBase64, keyIdFor, open, seal, toBase64, type Keyring } from "./crypto";

const ACTIVE = "active-secret-for-crypto-tests-9d2f";
const PREV = "previous-secret-for-crypto-tests-41ac";
const AAD = "session:3f1c2b9e-8a7d-4c6b-9e5f-0a1b2c3d4e5f";

/** Exactly what the original worker wrote: key = raw SHA-256(secret), 12-byte IV, no AAD, base64 of iv and ciphertext||tag. */
async function legacyRecord(plaintext: string, secret: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret));
  const key = await crypto.subtle.importKey("raw", digest, { name: "AES-GCM" }, false, ["encrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, new TextEncoder().encode(plaintext));
  return JSON.stringify({ iv: btoa(String.fromCharCode(...iv)), data: btoa(String.fromCharCode(...new Uint8Array(data))) });
}

function tamper(sealed: string): string {
  const record = JSON.parse(sealed) as { data: string };
  const bytes = fromBase64(record.data)!;
  bytes[0] = bytes[0]! ^ 0x01;
  return JSON.stringify({ ...record, data: toBase64(bytes) });
}

const secretArb = fc.string({ minLength: 16, maxLength: 64 });
const plaintextArb = fc.string({ unit: "grapheme", minLength: 1, maxLength: 200 });

describe("seal / open (v2)", () => {
  it("writes a version tag, a key id that is not the secret, a 12-byte IV and no plaintext", async () => {
    const sealed = await seal("AIzaSyExampleKey0123456789", ACTIVE, AAD);
    const record = JSON.parse(sealed) as Record<string, string>;
    expect(Object.keys(record).sort()).toEqual(["data", "iv", "kid", "v"]);
    expect(record.v).toBe(2);
    expect(record.kid).toBe(await keyIdFor(ACTIVE));
    expect(record.kid).not.toContain(ACTIVE.slice(0, 8));
    expect(fromBase64(record.iv!)).toHaveLength(12);
    expect(sealed).not.toContain("AIzaSyExampleKey");
  });

  it("uses a fresh IV per write", async () => {
    const a = JSON.parse(await seal("same", ACTIVE, AAD)) as { iv: string; data: string };
    const b = JSON.parse(await seal("same", ACTIVE, AAD)) as { iv: string; data: string };
    expect(a.iv).not.toBe(b.iv);
    expect(a.data).not.toBe(b.data);
  });

  it("binds the KV key: a record moved to another key does not open", async () => {
    const sealed = await seal("sk-or-v1-key", ACTIVE, AAD);
    expect(await open(sealed, { active: ACTIVE, previous: null }, "session:00000000-0000-4000-8000-000000000000")).toEqual({ ok: false, error: "undecryptable" });
  });

  it("rejects a tampered ciphertext as undecryptable and a record under an unconfigured secret as unknown_key", async () => {
    const sealed = await seal("sk-or-v1-key", ACTIVE, AAD);
    expect(await open(tamper(sealed), { active: ACTIVE, previous: null }, AAD)).toEqual({ ok: false, error: "undecryptable" });
    expect(await open(sealed, { active: PREV, previous: null }, AAD)).toEqual({ ok: false, error: "unknown_key" });
    expect(await open(sealed, { active: PREV, previous: "some-wrong-previous-secret-000000" }, AAD)).toEqual({ ok: false, error: "unknown_key" });
    expect(await open(tamper(sealed), { active: PREV, previous: ACTIVE }, AAD)).toEqual({ ok: false, error: "undecryptable" });
  });

  it.each([["not json"], ['{"v":3,"kid":"x","iv":"AAAAAAAAAAAAAAAA","data":"AAAAAAAAAAAAAAAAAAAAAA=="}'], ['{"iv":"%%%","data":"x"}'], ["null"], ["[]"]])(
    "reports %s as malformed",
    async (input) => {
      expect(await open(input, { active: ACTIVE, previous: null }, AAD)).toEqual({ ok: false, error: "malformed" });
    },
  );

  it("round-trips any plaintext under any secret and AAD", async () => {
    await fc.assert(
      fc.asyncProperty(plaintextArb, secretArb, fc.string({ maxLength: 80 }), async (plaintext, secret, aad) => {
        const opened = await open(await seal(plaintext, secret, aad), { active: secret, previous: null }, aad);
        expect(opened).toEqual({ ok: true, value: { plaintext, slot: "active", format: "v2" } });
      }),
      { numRuns: 200 },
    );
  });
});

describe("legacy records", () => {
  it("opens a record built exactly like the original worker, with the active secret", async () => {
    const opened = await open(await legacyRecord("AIzaSyLegacyKey", ACTIVE), { active: ACTIVE, previous: null }, AAD);
    expect(opened).toEqual({ ok: true, value: { plaintext: "AIzaSyLegacyKey", slot: "active", format: "legacy" } });
  });

  it("accepts the record as an already-parsed object too", async () => {
    const record = JSON.parse(await legacyRecord("k", ACTIVE)) as object;
    expect((await open(record, { active: ACTIVE, previous: null }, AAD)).ok).toBe(true);
  });

  it("decrypts any legacy plaintext, falling back to PREV", async () => {
    await fc.assert(
      fc.asyncProperty(plaintextArb, secretArb, secretArb, fc.boolean(), async (plaintext, active, previous, underPrev) => {
        fc.pre(active !== previous);
        const opened = await open(await legacyRecord(plaintext, underPrev ? previous : active), { active, previous }, AAD);
        expect(opened).toEqual({ ok: true, value: { plaintext, slot: underPrev ? "previous" : "active", format: "legacy" } });
      }),
      { numRuns: 200 },
    );
  });
});

describe("rotation", () => {
  it("opens with the secret the kid names, whichever slot holds it", async () => {
    await fc.assert(
      fc.asyncProperty(plaintextArb, secretArb, secretArb, async (plaintext, oldSecret, newSecret) => {
        fc.pre(oldSecret !== newSecret);
        const sealed = await seal(plaintext, oldSecret, AAD);
        const during: Keyring = { active: newSecret, previous: oldSecret };
        expect(await open(sealed, during, AAD)).toEqual({ ok: true, value: { plaintext, slot: "previous", format: "v2" } });
        const resealed = await seal(plaintext, newSecret, AAD);
        expect(await open(resealed, { active: newSecret, previous: null }, AAD)).toEqual({ ok: true, value: { plaintext, slot: "active", format: "v2" } });
        expect((await open(sealed, { active: newSecret, previous: null }, AAD)).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it("still tries both secrets when the kid matches neither", async () => {
    const record = JSON.parse(await seal("k", PREV, AAD)) as Record<string, unknown>;
    const opened = await open(JSON.stringify({ ...record, kid: "unknownkid00" }), { active: ACTIVE, previous: PREV }, AAD);
    expect(opened).toEqual({ ok: true, value: { plaintext: "k", slot: "previous", format: "v2" } });
  });
});
