import { join } from "node:path";
import { DiagnosticsPage } from "./diagnostics-page";
import { expect, FAKE_KEY, test } from "./fixtures";

const COOKIE = "pb_ai_session";
const AI_ACTIONS = ["analyze", "batch", "cleanup", "transcribe", "search", "daily-brief"];

/** Cookie attributes as a lower-case set, value dropped (it is a session id: never printed). */
function cookieAttributes(setCookie: string | null): { name: string; attributes: Set<string> } {
  expect(setCookie, "connect must set a cookie").toBeTruthy();
  const [pair, ...attributes] = setCookie!.split(";").map((part) => part.trim());
  return { name: pair!.split("=")[0]!, attributes: new Set(attributes.map((attribute) => attribute.toLowerCase())) };
}

test.describe("cookie session in a real Chromium", () => {
  test("connect sets an HttpOnly SameSite=Lax cookie that scripts cannot read, later calls carry it, reload keeps it", async ({ page, context, baseURL }, testInfo) => {
    const diag = new DiagnosticsPage(page, baseURL!);
    await diag.open();
    await expect(diag.authStatus).toHaveAttribute("data-connected", "false");

    const connect = await diag.connect("gemini", FAKE_KEY);
    expect(connect.status()).toBe(200);
    const { name, attributes } = cookieAttributes(await connect.headerValue("set-cookie"));
    expect(name).toBe(COOKIE);
    for (const attribute of ["httponly", "samesite=lax", "path=/", "max-age=86400"]) expect(attributes).toContain(attribute);
    await expect(diag.authStatus).toHaveAttribute("data-connected", "true");
    await expect(page.getByTestId("api-key")).toHaveValue("");

    expect(await page.evaluate(() => document.cookie)).not.toContain(COOKIE);
    const stored = (await context.cookies(baseURL!)).find((cookie) => cookie.name === COOKIE);
    expect(stored).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });

    const analyze = await diag.runAi("analyze");
    expect(analyze.status()).toBe(200);
    expect((await analyze.request().allHeaders()).cookie).toContain(`${COOKIE}=${stored!.value}`);
    await expect(diag.result("ai").getByTestId("result-json")).toContainText('"result"');

    await diag.reload();
    await expect(diag.authStatus).toHaveAttribute("data-connected", "true");
    expect((await diag.runAi("search")).status()).toBe(200);
    const pull = await diag.callV2("/api/v2/sync/pull");
    expect(pull.status()).toBe(200);
    await expect(diag.result("v2").getByTestId("result-json")).toBeVisible();
    await expect(diag.metric("requests")).not.toHaveText("—");
    await page.screenshot({ path: join(testInfo.project.outputDir, "diagnostics.png"), fullPage: true });
  });

  test("runs each of the six AI actions through the page", async ({ page, baseURL }) => {
    const diag = new DiagnosticsPage(page, baseURL!);
    await diag.open();
    expect((await diag.connect("gemini", FAKE_KEY)).status()).toBe(200);
    for (const action of AI_ACTIONS) {
      const response = await diag.runAi(action);
      expect(response.status(), `${action} answers 200`).toBe(200);
      await expect(diag.result("ai").getByTestId("result-status")).toHaveText("HTTP 200");
    }
  });

  test("disconnect clears the cookie and the next AI call is 401 AUTH_REQUIRED", async ({ page, context, baseURL }) => {
    const diag = new DiagnosticsPage(page, baseURL!);
    await diag.open();
    expect((await diag.connect("openrouter", FAKE_KEY)).status()).toBe(200);
    expect((await diag.runAi("analyze")).status()).toBe(200);

    const disconnect = await diag.disconnect();
    expect(disconnect.status()).toBe(200);
    const { name, attributes } = cookieAttributes(await disconnect.headerValue("set-cookie"));
    expect(name).toBe(COOKIE);
    expect(attributes).toContain("max-age=0");
    expect((await context.cookies(baseURL!)).map((cookie) => cookie.name)).not.toContain(COOKIE);
    await expect(diag.authStatus).toHaveAttribute("data-connected", "false");

    const refused = await diag.runAi("analyze");
    expect(refused.status()).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: "AUTH_REQUIRED" } });
    await expect(diag.errorField("ai", "code")).toHaveText("AUTH_REQUIRED");
    await expect(diag.errorField("ai", "notice")).toHaveText("No key connected — connect one above");
  });

  test("a cross-origin POST is refused with 403 by the Origin rule, the same request from the page's origin is not", async ({ page, context, baseURL, request }) => {
    const diag = new DiagnosticsPage(page, baseURL!);
    await diag.open();
    expect((await diag.connect("gemini", FAKE_KEY)).status()).toBe(200);

    // The page's own disconnect, intercepted and re-sent with the browser context's cookies but a
    // foreign Origin (what another site's request would carry). Chromium ignores an Origin override
    // in route.continue, so the request is re-issued with route.fetch and its answer handed back.
    const foreign = "https://evil.example";
    const sentOrigins: (string | undefined)[] = [];
    await page.route("**/api/v1/auth/disconnect", async (route) => {
      const headers = { ...route.request().headers(), origin: foreign };
      sentOrigins.push(headers.origin);
      await route.fulfill({ response: await route.fetch({ headers }) });
    });
    const refused = await diag.disconnect();
    expect(sentOrigins).toEqual([foreign]);
    expect(refused.status()).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: "BAD_REQUEST", message: "Origin not allowed for this request." } });
    await expect(diag.errorField("auth", "message")).toHaveText("Origin not allowed for this request.");
    // Refused means not executed: the session is intact and still works.
    expect((await context.cookies(baseURL!)).map((cookie) => cookie.name)).toContain(COOKIE);
    expect((await diag.runAi("analyze")).status()).toBe(200);

    await page.unroute("**/api/v1/auth/disconnect");
    expect((await diag.disconnect()).status()).toBe(200);

    // Same JSON request, only the Origin differs: 403 with the foreign one, accepted with the Worker's own.
    const body = { provider: "gemini", apiKey: FAKE_KEY };
    const fromForeign = await request.post("/api/v1/auth/connect", { data: body, headers: { origin: foreign } });
    expect(fromForeign.status()).toBe(403);
    const fromOwn = await request.post("/api/v1/auth/connect", { data: body, headers: { origin: new URL(baseURL!).origin } });
    expect(fromOwn.status()).toBe(200);
  });
});
