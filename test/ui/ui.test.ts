/**
 * The web UI in real headless Chromium against a real server with synthetic models: pick a model, send a
 * message and watch the answer stream in (with its figures), stop one mid-stream (Esc), reload and find
 * the conversation, thinking folded for a thinking model, a model that is gone shows the server's error
 * text, an API key entered in the page, and a phone-sized viewport. No console errors on the way.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { recipes, startServerWith, type TestServer } from "../api/helpers.ts";
import { startTestServer } from "../api/helpers.ts";
import { startFakeRegistry } from "./fake-registry.ts";
import { consoleErrors, hasChromium, launchChromium, lastAnswer, waitForAnswer } from "./harness.ts";

let s: TestServer;
let browser: Browser;

beforeAll(async () => {
  if (!hasChromium) return;
  [s, browser] = await Promise.all([
    startServerWith({ tiny: recipes.tiny, thinker: recipes.thinker, gone: recipes.tiny }),
    launchChromium(),
  ]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

/** Opens the UI in a fresh context (empty localStorage). */
async function openUi(
  url: string,
  viewport = { width: 1200, height: 800 },
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = consoleErrors(page);
  await page.goto(`${url}/ui`);
  return { page, errors };
}

/** Waits until `selector` matches `n` elements (the UI re-renders after a click, not during it). */
async function countIs(page: Page, selector: string, n: number): Promise<void> {
  const sel = JSON.stringify(selector);
  await page.waitForFunction(`document.querySelectorAll(${sel}).length === ${n}`, null, { timeout: 10_000 });
  expect(await page.locator(selector).count()).toBe(n);
}

/** Sets an option in the settings panel (empty string: the server's default). */
async function setOptions(page: Page, options: Record<string, string>): Promise<void> {
  await page.click('button[aria-label="Settings"]');
  for (const [name, value] of Object.entries(options)) await page.fill(`input[name="${name}"]`, value);
  await page.click('button[aria-label="Close settings"]');
}

/** Picks a model by its short name (the list shows `name:latest`). */
async function pickModel(page: Page, name: string): Promise<void> {
  const model = `${name}:latest`;
  await page
    .locator('select[aria-label="Model"] option', { hasText: model })
    .first()
    .waitFor({ state: "attached" });
  await page.selectOption('select[aria-label="Model"]', model);
}

async function say(page: Page, text: string): Promise<void> {
  await page.fill('textarea[aria-label="Message"]', text);
  await page.press('textarea[aria-label="Message"]', "Enter");
}

describe.skipIf(!hasChromium)("web UI in Chromium", () => {
  test("chat: stream, stop mid-stream, reload and find the conversation", async () => {
    const { page, errors } = await openUi(s.url);
    await pickModel(page, "tiny");
    await setOptions(page, { num_predict: "12", seed: "7" });

    await say(page, "Hello there");
    // Shift+Enter is a new line, not a send.
    await page.fill('textarea[aria-label="Message"]', "line one");
    await page.press('textarea[aria-label="Message"]', "Shift+Enter");
    expect(await page.locator(".msg.user").count()).toBe(1);
    await page.fill('textarea[aria-label="Message"]', "");
    const done = await waitForAnswer(page, { streaming: false, statsInclude: "tok/s" });
    expect(done.error).toBe("");
    expect(done.text.length).toBeGreaterThan(0);
    expect(done.stats).toMatch(/TTFT \d+(\.\d)? m?s · [\d.]+ tok\/s · 12 tokens/);

    // A long answer: watch it grow while streaming, then stop it with Esc.
    await setOptions(page, { num_predict: "4000" });
    await say(page, "Tell me a long story");
    const early = await waitForAnswer(page, { streaming: true, textLongerThan: 0 });
    const later = await waitForAnswer(page, { streaming: true, textLongerThan: early.text.length });
    await page.keyboard.press("Escape");
    const stopped = await waitForAnswer(page, { streaming: false });
    expect(stopped.stats).toContain("stopped");
    expect(stopped.error).toBe("");
    expect(stopped.text.length).toBeGreaterThanOrEqual(later.text.length);
    expect(await page.locator("button.stop").count()).toBe(0);

    // Reload: the conversation is listed and open (the URL names it), with both turns and the partial answer.
    const url = page.url();
    expect(url).toMatch(/#\/c\/[\w-]+$/);
    await page.reload();
    await page.locator(".conversations .open", { hasText: "Hello there" }).waitFor();
    expect(await page.locator(".conversations li").count()).toBe(1);
    await page.click('a[href="#/"]');
    await countIs(page, ".msg", 0);
    await page.click(".conversations .open");
    await page.waitForSelector(".msg.assistant .stats");
    expect(await page.locator(".msg.user").allTextContents()).toEqual([
      "Hello there",
      "Tell me a long story",
    ]);
    const restored = await lastAnswer(page);
    expect(restored?.stats).toContain("stopped");
    expect(restored?.text).toBe(stopped.text);

    // New chat and delete from the list.
    await page.click("text=+ New chat");
    await countIs(page, ".msg", 0);
    await page.click('.conversations button[aria-label^="Delete"]');
    await countIs(page, ".conversations li", 0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("a reload mid-answer keeps what had arrived, marked interrupted", async () => {
    const { page, errors } = await openUi(s.url);
    await pickModel(page, "tiny");
    await setOptions(page, { num_predict: "100000", seed: "3" });
    await say(page, "A story to leave halfway");
    await waitForAnswer(page, { streaming: true, textLongerThan: 0 });
    // The answer in flight is saved about once a second: wait for a saved copy, then leave.
    const saved = () =>
      page.evaluate(() =>
        (globalThis.localStorage.getItem("tsllm.ui.conversations.v1") ?? "").includes('"interrupted":true'),
      );
    for (let i = 0; i < 200 && !(await saved()); i++) await page.waitForTimeout(100);
    expect(await saved()).toBe(true);
    await page.reload();
    await page.locator(".conversations .open", { hasText: "A story to leave halfway" }).waitFor();
    await page.click(".conversations .open");
    await page.waitForSelector(".msg.assistant .stats");
    const restored = await lastAnswer(page);
    expect(restored?.stats).toContain("interrupted");
    expect(restored?.text.length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("a thinking model thinks, and its thinking is folded", async () => {
    const { page, errors } = await openUi(s.url);
    await pickModel(page, "thinker");
    await setOptions(page, { num_predict: "16", seed: "3" });
    await say(page, "Think first");
    const a = await waitForAnswer(page, { streaming: false, statsInclude: "tok/s" });
    expect(a.error).toBe("");
    expect(a.thinking.length).toBeGreaterThan(0);
    expect(a.thinkingOpen).toBe(false);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("a model that is gone shows the server's error text", async () => {
    const { page, errors } = await openUi(s.url);
    await pickModel(page, "gone");
    await s.client.delete({ model: "gone" });
    const serverSays = (
      await (
        await s.request("/api/chat", { model: "gone:latest", messages: [{ role: "user", content: "x" }] })
      ).json()
    ).error;
    expect(serverSays).toContain("not found");
    await say(page, "Are you there?");
    const a = await waitForAnswer(page, { streaming: false, hasError: true });
    expect(a.error).toBe(serverSays);
    // The only console message is the browser's own note of the failed request.
    expect(errors.filter((e) => !e.startsWith("Failed to load resource"))).toEqual([]);
    await page.context().close();
  });

  test("an API key entered in the page is sent with its requests", async () => {
    const keyed = await startTestServer({ TSLLM_API_KEYS: "browser-key-42" });
    try {
      const { page, errors } = await openUi(keyed.url);
      await page.waitForSelector(".notice");
      expect(await page.textContent(".notice")).toContain("API key");
      await page.click('button[aria-label="Settings"]');
      await page.fill("#api-key", "browser-key-42");
      await page.click('form.key button[type="submit"]');
      await page.waitForSelector(".notice", { state: "detached" });
      expect(errors.filter((e) => !e.startsWith("Failed to load resource"))).toEqual([]);
      await page.context().close();
    } finally {
      await keyed.stop();
    }
  });

  test("models page: what is loaded and where, pull with progress, delete", async () => {
    const registry = await startFakeRegistry("library/mini:latest", await recipes.tiny.gguf());
    try {
      await s.client.generate({ model: "tiny", prompt: "" }); // loads it
      const { page, errors } = await openUi(s.url);
      page.on("dialog", (d) => void d.accept());
      await page.click('a[href="#/models"]');
      const loaded = page.locator("table.loaded tr", { hasText: "tiny:latest" });
      await loaded.waitFor();
      expect(await loaded.textContent()).toContain("100% CPU");

      const name = `${registry.host}/library/mini:latest`;
      await page.fill('input[aria-label="Model to pull"]', name);
      await page.check("text=Allow a plain-HTTP registry");
      await page.click('button:has-text("Pull")');
      await page.locator(".pull-progress", { hasText: "success" }).waitFor();
      const bars = await page.locator(".pull-progress progress").evaluateAll((els) =>
        els.map((e) => {
          const p = e as unknown as { value: number; max: number };
          return p.value === p.max && p.max > 0;
        }),
      );
      expect(bars.length).toBeGreaterThan(0);
      expect(bars.every(Boolean)).toBe(true);
      const row = page.locator("table.installed tr", { hasText: name });
      await row.waitFor();

      await row.locator("button", { hasText: "Delete" }).click();
      await row.waitFor({ state: "detached" });
      expect((await s.client.list()).models.map((m) => m.name)).not.toContain(name);
      expect(errors).toEqual([]);
      await page.context().close();
    } finally {
      registry.stop();
    }
  });

  test("readable on a phone: one column, nothing wider than the screen", async () => {
    const { page, errors } = await openUi(s.url, { width: 390, height: 844 });
    await pickModel(page, "tiny");
    expect(await page.isVisible(".sidebar")).toBe(false);
    await page.click('button[aria-label="Conversations"]');
    expect(await page.isVisible(".sidebar")).toBe(true);
    const overflow = await page.evaluate(() => {
      const root = (
        globalThis as unknown as {
          document: { documentElement: { scrollWidth: number; clientWidth: number } };
        }
      ).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    expect(overflow).toBe(0);
    await page.click('a[href="#/models"]');
    await page.waitForSelector("table.installed");
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
