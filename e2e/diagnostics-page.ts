import { expect, type Locator, type Page, type Response } from "@playwright/test";

type Panel = "auth" | "ai" | "v2";

/** The diagnostics page (worker/src/dev) as the specs drive it: stable ids, one method per action. */
export class DiagnosticsPage {
  readonly authStatus: Locator;
  readonly vpsCircuit: Locator;

  constructor(
    readonly page: Page,
    readonly origin: string,
  ) {
    this.authStatus = page.getByTestId("auth-status");
    this.vpsCircuit = page.getByTestId("vps-circuit");
  }

  async open(): Promise<void> {
    await this.page.goto(`${this.origin}/__dev/`);
    await expect(this.page.locator("body")).toHaveAttribute("data-ready", "true");
  }

  async reload(): Promise<void> {
    await this.page.reload();
    await expect(this.page.locator("body")).toHaveAttribute("data-ready", "true");
  }

  result(panel: Panel): Locator {
    return this.page.getByTestId(`${panel}-result`);
  }

  errorField(panel: Panel, field: "code" | "cause" | "message" | "retry-after" | "notice" | "countdown"): Locator {
    return this.result(panel).getByTestId(`error-${field}`);
  }

  metric(name: string): Locator {
    return this.page.getByTestId(`metric-${name}`);
  }

  /** Clicks and returns the matching response once the page has rendered it. */
  private async act(path: string, panel: Panel, click: () => Promise<void>): Promise<Response> {
    const seq = Number((await this.result(panel).getAttribute("data-seq")) ?? 0);
    const [response] = await Promise.all([
      this.page.waitForResponse((candidate) => new URL(candidate.url()).pathname === path && candidate.request().method() !== "OPTIONS"),
      click(),
    ]);
    await expect(this.result(panel)).toHaveAttribute("data-seq", String(seq + 1));
    return response;
  }

  async connect(provider: "gemini" | "openrouter", apiKey: string): Promise<Response> {
    await this.page.getByTestId("provider").selectOption(provider);
    await this.page.getByTestId("api-key").fill(apiKey);
    return this.act("/api/v1/auth/connect", "auth", () => this.page.getByTestId("connect").click());
  }

  disconnect(): Promise<Response> {
    return this.act("/api/v1/auth/disconnect", "auth", () => this.page.getByTestId("disconnect").click());
  }

  /** Runs an AI action with the page's sample input for it. */
  async runAi(action: string): Promise<Response> {
    await this.page.getByTestId("ai-action").selectOption(action);
    return this.act(`/api/v1/ai/${action}`, "ai", () => this.page.getByTestId("run-ai").click());
  }

  callV2(path = "/api/v2/sync/pull"): Promise<Response> {
    return this.page.getByTestId("v2-path").fill(path).then(() => this.act(path, "v2", () => this.page.getByTestId("call-v2").click()));
  }
}
