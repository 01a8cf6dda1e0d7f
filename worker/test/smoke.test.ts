import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";

describe("router on workerd", () => {
  it("answers an unknown route with the 404 envelope and security headers", async () => {
    const response = await SELF.fetch("http://127.0.0.1/api/v1/nope", { headers: { "x-request-id": "req-abcdef12" } });
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-request-id")).toBe("req-abcdef12");
    expect(await response.json()).toEqual({
      error: { code: "NOT_FOUND", message: "Route not found", retryable: false, requestId: "req-abcdef12" },
    });
  });
});
