import { DiagnosticsPage } from "./diagnostics-page";
import { expect, test } from "./fixtures";

const PULL = "/api/v2/sync/pull";

/** The fault panel on /__dev/ (worker/src/dev/fault-panel.ts), by its stable test ids. */
function faultPanel(diag: DiagnosticsPage) {
  const { page } = diag;
  return {
    activeFaults: page.getByTestId("active-faults"),
    probeStatus: page.getByTestId("probe-status"),
    timeline: page.getByTestId("fault-timeline"),
    result: page.getByTestId("fault-result"),
    async inject(preset: "5xx" | "hang" | "429", options: { target?: "backend" | "gemini" | "openrouter"; times?: number; retryAfter?: number } = {}) {
      await page.getByTestId("fault-target").selectOption(options.target ?? "backend");
      await page.getByTestId("fault-count").fill(String(options.times ?? 3));
      await page.getByTestId("fault-retry-after").fill(String(options.retryAfter ?? 5));
      const [response] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === "/__dev/lab/faults" && r.request().method() === "POST"),
        page.getByTestId(`inject-${preset}`).click(),
      ]);
      return response;
    },
    async clear() {
      const [response] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === "/__dev/lab/faults" && r.request().method() === "DELETE"),
        page.getByTestId("clear-faults").click(),
      ]);
      return response;
    },
  };
}

test("fault panel: a 5xx burst from the page opens the circuit, counts down, sends one probe and recovers", async ({ page, lab, request }, testInfo) => {
  const diag = new DiagnosticsPage(page, lab.workerUrl);
  await diag.open();
  const panel = faultPanel(diag);
  await expect(diag.vpsCircuit).toHaveAttribute("data-state", "closed");

  expect((await panel.inject("5xx", { times: 3 })).status()).toBe(201);
  await expect(panel.activeFaults).toContainText("backend *: 503 (3 left)");
  const programmed = (await (await request.get(`${lab.backendUrl}/__lab/faults`)).json()) as { faults: { kind: string; status: number }[] }[];
  expect(programmed[0]?.faults[0]).toMatchObject({ kind: "status", status: 503 });

  for (let attempt = 1; attempt <= 3; attempt += 1) {
    expect((await diag.callV2(PULL)).status(), `failure ${attempt}`).toBe(503);
    await expect(diag.errorField("v2", "cause")).toHaveText("upstream_5xx");
  }
  await expect(diag.vpsCircuit).toHaveAttribute("data-state", "open");
  await expect(panel.timeline.locator(".mark.lane-backend[data-tone=bad]")).toHaveCount(3);

  const rejected = await diag.callV2(PULL);
  expect(await rejected.json()).toMatchObject({ error: { cause: "circuit_open" } });
  await expect(panel.timeline.locator(".mark.lane-Worker.kind-reject")).toHaveCount(1);
  await expect(panel.timeline.locator("rect[data-state=open]")).not.toHaveCount(0);
  const retryAfter = Number(await rejected.headerValue("retry-after"));
  await expect(diag.errorField("v2", "countdown")).toHaveAttribute("data-remaining", /^[1-6]$/);
  await expect(panel.probeStatus).toHaveAttribute("data-probes", "0");
  await expect(panel.probeStatus).toContainText("no upstream call until the window ends");

  await expect(diag.errorField("v2", "countdown")).toHaveAttribute("data-remaining", "0", { timeout: (retryAfter + 2) * 1000 });
  expect((await diag.callV2(PULL)).status()).toBe(200);
  await expect(diag.vpsCircuit).toHaveAttribute("data-state", "closed");
  await expect(panel.probeStatus).toHaveAttribute("data-probes", "1");
  await expect(panel.probeStatus).toContainText("1 probe sent after the opening → HTTP 200");
  await expect(panel.timeline.locator(".mark.kind-probe")).toHaveCount(1);
  await expect(panel.timeline.locator(".mark.lane-backend")).toHaveCount(4);
  await page.locator("#fault-panel").screenshot({ path: testInfo.outputPath("fault-panel.png") });
  await page.screenshot({ path: testInfo.outputPath("diagnostics.png"), fullPage: true });
});

test("fault panel: 429 with Retry-After and a hang reach the fakes; Clear faults removes them", async ({ page, lab, request }) => {
  const diag = new DiagnosticsPage(page, lab.workerUrl);
  await diag.open();
  const panel = faultPanel(diag);

  expect((await panel.inject("429", { times: 1, retryAfter: 7 })).status()).toBe(201);
  await expect(panel.activeFaults).toContainText("backend *: 429 Retry-After 7 s (1 left)");
  const limited = await diag.callV2(PULL);
  expect(limited.status()).toBe(429);
  expect(await limited.headerValue("retry-after")).toBe("7");

  expect((await panel.inject("hang", { target: "gemini", times: 2 })).status()).toBe(201);
  await expect(panel.activeFaults).toContainText("gemini *: hang (2 left)");
  const listed = (await (await request.get(`${lab.backendUrl}/__lab/faults`)).json()) as { server?: string; faults: { kind: string }[] }[];
  expect(listed.some((rule) => rule.server === "gemini" && rule.faults[0]?.kind === "hang")).toBe(true);

  expect((await panel.clear()).status()).toBe(204);
  await expect(panel.activeFaults).toHaveAttribute("data-count", "0");
  expect(await (await request.get(`${lab.backendUrl}/__lab/faults`)).json()).toEqual([]);
});

test("fault panel bridge refuses a write from another origin", async ({ lab, request }) => {
  const response = await request.post(`${lab.workerUrl}/__dev/lab/faults`, {
    headers: { origin: "http://evil.example", "content-type": "application/json" },
    data: { server: "backend", route: "*", faults: [{ kind: "status", status: 503 }] },
  });
  expect(response.status()).toBe(400);
  expect(await (await request.get(`${lab.backendUrl}/__lab/faults`)).json()).toEqual([]);
});
