import { describe, expect, it } from "vitest";
import worker from "../src/index";
import { DEV_CSP } from "../src/routes/dev";
import { makeEnv } from "./fakes";

const get = (url: string, env = makeEnv(), init: RequestInit = {}) => worker.fetch(new Request(url, init), env);

describe("diagnostics page in development on a loopback host", () => {
  it.each(["http://127.0.0.1:8787/__dev/", "http://127.0.0.1:8787/__dev", "http://localhost:8787/__dev/"])(
    "serves the page at %s with a strict CSP, security headers and no-store",
    async (url) => {
      const response = await get(url);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("content-security-policy")).toBe(DEV_CSP);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      expect(response.headers.get("x-request-id")).toBeTruthy();
      const html = await response.text();
      expect(html).toContain('<script type="module" src="/__dev/app.js"></script>');
      for (const id of ["provider", "api-key", "connect", "disconnect", "auth-status", "ai-action", "ai-input", "run-ai", "call-v2", "vps-circuit", "provider-circuits", "metrics"]) {
        expect(html).toContain(`id="${id}"`);
      }
    },
  );

  it("forbids inline script and style in the policy, and the page uses none", async () => {
    expect(DEV_CSP).toContain("script-src 'self'");
    expect(DEV_CSP).not.toContain("unsafe-inline");
    expect(DEV_CSP).toContain("frame-ancestors 'none'");
    const html = await (await get("http://127.0.0.1/__dev/")).text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/\son[a-z]+=/);
  });

  it("serves the script and stylesheet with their content types, and the script parses", async () => {
    const script = await get("http://127.0.0.1/__dev/app.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const source = await script.text();
    expect(() => new Function(source)).not.toThrow();
    expect(source).toContain('credentials: "same-origin"');
    expect(source).not.toContain("innerHTML");
    const css = await get("http://127.0.0.1/__dev/app.css");
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
  });

  it("answers HEAD without a body and leaves other methods and paths to the router's 404", async () => {
    const head = await get("http://127.0.0.1/__dev/", makeEnv(), { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const post = await get("http://127.0.0.1/__dev/", makeEnv(), { method: "POST" });
    expect(post.status).toBe(404);
    const unknown = await get("http://127.0.0.1/__dev/secrets.json");
    expect(unknown.status).toBe(404);
  });
});

describe("diagnostics page is never exposed outside local dev", () => {
  const notFound = async (response: Response) => {
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/json");
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe("NOT_FOUND");
  };

  it.each([
    ["NODE_ENV unset (production rules)", { NODE_ENV: undefined }],
    ["NODE_ENV=production", { NODE_ENV: "production" }],
    ["ENABLE_DEV_ROUTES=false in development", { NODE_ENV: "development", ENABLE_DEV_ROUTES: "false" }],
  ])("is 404 with %s, even on loopback", async (_label, overrides) => {
    const env = makeEnv(overrides);
    for (const path of ["/__dev/", "/__dev", "/__dev/app.js", "/__dev/app.css"]) {
      await notFound(await get(`http://127.0.0.1:8787${path}`, env));
    }
  });

  it.each(["http://proxy.pocketbrain.app/__dev/", "http://10.0.0.5:8787/__dev/", "http://[2001:db8::1]/__dev/app.js"])(
    "is 404 on the non-loopback host %s in development",
    async (url) => {
      await notFound(await get(url, makeEnv({ NODE_ENV: "development" })));
    },
  );

  it("is 404 on a public host even when a client claims a loopback address", async () => {
    await notFound(await get("https://proxy.pocketbrain.app/__dev/", makeEnv(), { headers: { "cf-connecting-ip": "127.0.0.1", "x-forwarded-for": "127.0.0.1" } }));
  });
});
