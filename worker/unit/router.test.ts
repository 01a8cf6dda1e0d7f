import { describe, expect, it } from "vitest";
import worker from "../src/index";
import { makeEnv } from "./fakes";

describe("router in plain Node", () => {
  it("imports without the Workers runtime and answers 404 with the envelope", async () => {
    const response = await worker.fetch(new Request("http://127.0.0.1/unknown"), makeEnv());
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string; requestId: string } };
    expect(body.error.code).toBe("NOT_FOUND");
    expect(body.error.requestId).toBe(response.headers.get("x-request-id"));
  });

  it("answers OPTIONS with an empty 204", async () => {
    const response = await worker.fetch(new Request("http://127.0.0.1/api/v1/auth/connect", { method: "OPTIONS" }), makeEnv());
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
  });

  it("replaces an insane incoming request id with a generated one", async () => {
    const response = await worker.fetch(new Request("http://127.0.0.1/x", { headers: { "x-request-id": "bad id\n" } }), makeEnv());
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
