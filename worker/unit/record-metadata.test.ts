import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { keyIdFor, seal } from "../src/crypto";
import { handleRequest } from "../src/index";
import { kidOfMetadata, kidOfStoredText, recordPutOptions } from "../src/record-metadata";
import { connectRequest, installProviderLab } from "./auth-helpers";
import { makeEnv, TEST_SECRET } from "./fakes";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());
beforeEach(() => installProviderLab(server));

describe("KV metadata on sealed records", () => {
  it("a connect stores the device session with metadata { kid } of the active secret", async () => {
    const env = makeEnv();
    const response = await handleRequest(connectRequest({ provider: "gemini", apiKey: "AIzaSyMetadata-test-key-0123456789" }), env);
    expect(response.status).toBe(200);
    const [entry] = [...env.AI_SESSIONS.entries.values()];
    expect(entry!.metadata).toEqual({ kid: await keyIdFor(TEST_SECRET) });
  });

  it("recordPutOptions names the seal's kid and keeps the TTL; a legacy record gets no metadata", async () => {
    const sealed = await seal("k", TEST_SECRET, "session:x");
    const text = JSON.stringify({ provider: "gemini", encryptedApiKey: sealed });
    expect(recordPutOptions(text, 120)).toEqual({ expirationTtl: 120, metadata: { kid: await keyIdFor(TEST_SECRET) } });
    expect(recordPutOptions(JSON.stringify({ provider: "gemini", encryptedApiKey: { iv: "a", data: "b" } }))).toBeUndefined();
    expect(recordPutOptions("not json", 60)).toEqual({ expirationTtl: 60 });
  });

  it.each([[null], [undefined], ["kid"], [{ kid: 1 }], [{ kid: "" }], [[]]])("kidOfMetadata(%j) is null", (value) => expect(kidOfMetadata(value)).toBeNull());

  it("kidOfStoredText reads the kid of an object-valued seal too", () => {
    expect(kidOfStoredText(JSON.stringify({ encryptedApiKey: { v: 2, kid: "abc" } }))).toBe("abc");
    expect(kidOfStoredText("{")).toBeNull();
  });
});
