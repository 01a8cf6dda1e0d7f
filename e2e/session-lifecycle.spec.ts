import { DiagnosticsPage } from "./diagnostics-page";
import { expect, FAKE_KEY, SECRET_A, SECRET_B, test } from "./fixtures";

/** 25 h: any session created before the restart is past its 24 h expiresAt. */
const PAST_EXPIRY_MS = String(25 * 60 * 60 * 1000);

test.describe("session lifecycle across Worker restarts", () => {
  test("an expired session answers 403 AUTH_EXPIRED and the page says to reconnect", async ({ page, lab }) => {
    const diag = new DiagnosticsPage(page, lab.workerUrl);
    await diag.open();
    expect((await diag.connect("gemini", FAKE_KEY)).status()).toBe(200);
    expect((await diag.runAi("analyze")).status()).toBe(200);

    await lab.restartWorker({ DEV_CLOCK_OFFSET_MS: PAST_EXPIRY_MS });
    const expired = await diag.runAi("analyze");
    expect(expired.status()).toBe(403);
    expect(await expired.json()).toMatchObject({ error: { code: "AUTH_EXPIRED" } });
    await expect(diag.errorField("ai", "code")).toHaveText("AUTH_EXPIRED");
    await expect(diag.errorField("ai", "notice")).toHaveText("Session expired — reconnect your key");
    await expect(diag.authStatus).toHaveAttribute("data-connected", "false");

    expect((await diag.connect("gemini", FAKE_KEY)).status()).toBe(200);
    expect((await diag.runAi("analyze")).status()).toBe(200);
  });

  test("rotation overlap: a session made under secret A works under B with A as previous, then under B alone", async ({ page, lab }) => {
    const diag = new DiagnosticsPage(page, lab.workerUrl);
    await diag.open();
    expect(lab.workerVars().KEY_ENCRYPTION_SECRET).toBe(SECRET_A);
    expect((await diag.connect("openrouter", FAKE_KEY)).status()).toBe(200);
    expect((await diag.runAi("analyze")).status()).toBe(200);

    await lab.restartWorker({ KEY_ENCRYPTION_SECRET: SECRET_B, KEY_ENCRYPTION_SECRET_PREV: SECRET_A });
    expect((await diag.runAi("analyze")).status()).toBe(200);
    await expect(diag.metric("fallbackDecrypts")).toHaveText("1");
    await expect(diag.metric("reencryptSuccesses")).toHaveText("1");

    await lab.restartWorker({ KEY_ENCRYPTION_SECRET_PREV: "" });
    expect(lab.workerVars()).not.toHaveProperty("KEY_ENCRYPTION_SECRET_PREV");
    expect((await diag.runAi("analyze")).status()).toBe(200);
    // Decrypted with B directly: the record was re-encrypted during the overlap.
    await expect(diag.metric("requests")).not.toHaveText("0");
    await expect(diag.metric("fallbackDecrypts")).toHaveText("0");
    await expect(diag.metric("decryptFailures")).toHaveText("0");
    await expect(diag.authStatus).toHaveAttribute("data-connected", "true");

    const kv = await lab.readKv();
    expect(kv.length).toBeGreaterThan(0);
    for (const entry of kv) expect(entry.value ?? "").not.toContain(FAKE_KEY);
  });
});
