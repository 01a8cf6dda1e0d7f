import { describe, expect, it } from "vitest";
import { ApiError, ERROR_CODES, ERROR_STATUS } from "./errors";
import { errorResponse, resolveRequestId } from "./http";

describe("error envelope (docs/api.md#error-envelope)", () => {
  it.each(ERROR_CODES)("%s maps to its status with the envelope and baseline headers", async (code) => {
    const response = errorResponse(new ApiError(code, "msg"), "req-12345678");
    expect(response.status).toBe(ERROR_STATUS[code]);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ code, message: "msg", requestId: "req-12345678" });
  });

  it("puts Retry-After (integer ≥ 1) on every retryable 429/503/504", () => {
    for (const [code, status] of [["RATE_LIMITED", 429], ["SERVICE_UNAVAILABLE", 503], ["TIMEOUT", 504], ["NETWORK", 503]] as const) {
      const response = errorResponse(new ApiError(code, "x"), "req-12345678");
      expect(response.status).toBe(status);
      expect(response.headers.get("retry-after")).toBe("5");
    }
    expect(errorResponse(new ApiError("RATE_LIMITED", "x", { retryAfterSec: 0.2 }), "r-12345678").headers.get("retry-after")).toBe("1");
    expect(errorResponse(new ApiError("RATE_LIMITED", "x", { retryAfterSec: 12.1 }), "r-12345678").headers.get("retry-after")).toBe("13");
  });

  it("keeps `internal` and the cause name apart: internal never reaches the wire", async () => {
    const error = new ApiError("SERVICE_UNAVAILABLE", "Backend unavailable.", { cause: "upstream_5xx", internal: "upstream said 502 at 10.0.0.3" });
    const text = await errorResponse(error, "req-12345678").text();
    expect(text).toContain('"cause":"upstream_5xx"');
    expect(text).not.toContain("10.0.0.3");
  });

  it("marks a non-retryable 503 without Retry-After", () => {
    const response = errorResponse(new ApiError("SERVICE_UNAVAILABLE", "x", { retryable: false, cause: "origin_unconfigured" }), "req-12345678");
    expect(response.headers.get("retry-after")).toBeNull();
  });
});

describe("request id", () => {
  it("echoes a sane incoming id", () => {
    expect(resolveRequestId(new Request("http://x/", { headers: { "x-request-id": "abc-123_456.7" } }))).toBe("abc-123_456.7");
  });
  it.each(["", "short", "has space inside", "x".repeat(200), "<script>alert(1)</script>"])("replaces %j", (id) => {
    expect(resolveRequestId(new Request("http://x/", { headers: { "x-request-id": id } }), () => "minted-id-1")).toBe("minted-id-1");
  });
});
