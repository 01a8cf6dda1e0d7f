import { join } from "node:path";
import { DiagnosticsPage } from "./diagnostics-page";
import { expect, test } from "./fixtures";

const PULL = "/api/v2/sync/pull";

test("backend outage: three failures open the circuit, the page counts down with Retry-After, then it recovers", async ({ page, lab, request }, testInfo) => {
  const diag = new DiagnosticsPage(page, lab.workerUrl);
  await diag.open();
  await expect(diag.vpsCircuit).toHaveAttribute("data-state", "closed");

  const programmed = await request.post(`${lab.backendUrl}/__lab/faults`, {
    data: { route: PULL, faults: [{ kind: "status", status: 503, times: 3 }] },
  });
  expect(programmed.status()).toBe(201);

  for (let attempt = 1; attempt <= 3; attempt += 1) {
    const failed = await diag.callV2(PULL);
    expect(failed.status(), `failure ${attempt}`).toBe(503);
    await expect(diag.errorField("v2", "cause")).toHaveText("upstream_5xx");
  }
  await expect(diag.vpsCircuit).toHaveAttribute("data-state", "open");

  const rejected = await diag.callV2(PULL);
  expect(rejected.status()).toBe(503);
  expect(await rejected.json()).toMatchObject({ error: { code: "SERVICE_UNAVAILABLE", cause: "circuit_open", retryable: true } });
  const retryAfter = Number(await rejected.headerValue("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(6);
  await expect(diag.errorField("v2", "retry-after")).toHaveText(`${retryAfter} s`);
  const countdown = Number(await diag.errorField("v2", "countdown").getAttribute("data-remaining"));
  expect(Math.abs(countdown - retryAfter)).toBeLessThanOrEqual(1);
  await expect
    .poll(async () => Math.abs(Number(await diag.vpsCircuit.getAttribute("data-remaining")) - retryAfter), { timeout: 2_500 })
    .toBeLessThanOrEqual(1);
  await page.screenshot({ path: join(testInfo.project.outputDir, "diagnostics-circuit-open.png"), fullPage: true });

  const stats = (await (await request.get(`${lab.backendUrl}/__lab/stats`)).json()) as { requests: Record<string, number> };
  expect(stats.requests[PULL], "no upstream call while the circuit is open").toBe(3);

  await expect(diag.errorField("v2", "countdown")).toHaveAttribute("data-remaining", "0", { timeout: (retryAfter + 2) * 1000 });
  const probe = await diag.callV2(PULL);
  expect(probe.status()).toBe(200);
  await expect(diag.result("v2").getByTestId("result-status")).toHaveText("HTTP 200");
  await expect(diag.vpsCircuit).toHaveAttribute("data-state", "closed");
});
