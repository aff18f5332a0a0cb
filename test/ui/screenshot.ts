/**
 * Takes docs/ui.png and measures the UI's first load (bytes over the wire, gzip; time until the page is
 * usable: model list loaded, composer ready) against a real server with a synthetic model, in headless
 * Chromium. Run: `bun test/ui/screenshot.ts` (the figures go into docs/BENCHMARKS.md by hand).
 */
import { join } from "node:path";
import { recipes, startServerWith } from "../api/helpers.ts";
import { launchChromium, waitForAnswer } from "./harness.ts";

const out = join(import.meta.dir, "../../docs/ui.png");
const s = await startServerWith({ "llama-tiny": recipes.tiny, "qwen-thinker": recipes.thinker });
const browser = await launchChromium();
try {
  // First load, cold cache: every byte the page fetched (encoded as sent) and the time to usable.
  const loads: number[] = [];
  for (let i = 0; i < 5; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    let bytes = 0;
    page.on("requestfinished", async (r) => {
      if (new URL(r.url()).pathname.startsWith("/ui")) bytes += (await r.sizes()).responseBodySize;
    });
    await page.goto(`${s.url}/ui`);
    await page
      .locator('select[aria-label="Model"] option', { hasText: "llama-tiny" })
      .first()
      .waitFor({ state: "attached" });
    const ms = (await page.evaluate(() => performance.now())) as number;
    loads.push(ms);
    if (i === 0) console.log(`first load: ${(bytes / 1024).toFixed(1)} KiB (gzip) for /ui and its files`);
    await context.close();
  }
  loads.sort((a, b) => a - b);
  console.log(`time to usable (model list shown): median ${loads[2]?.toFixed(0)} ms over 5 cold loads`);

  const context = await browser.newContext({ viewport: { width: 1180, height: 720 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(`${s.url}/ui`);
  const say = async (text: string) => {
    await page.fill('textarea[aria-label="Message"]', text);
    await page.press('textarea[aria-label="Message"]', "Enter");
    await waitForAnswer(page, { streaming: false, statsInclude: "tok/s" });
  };
  await page
    .locator('select[aria-label="Model"] option', { hasText: "qwen-thinker" })
    .first()
    .waitFor({ state: "attached" });
  await page.selectOption('select[aria-label="Model"]', "qwen-thinker:latest");
  await page.click('button[aria-label="Settings"]');
  await page.fill('input[name="num_predict"]', "40");
  await page.fill('input[name="seed"]', "11");
  await page.click('button[aria-label="Close settings"]');
  await say("Why is the sky blue?");
  await page.click("text=+ New chat");
  await page.selectOption('select[aria-label="Model"]', "llama-tiny:latest");
  await say("Write a haiku about GGUF files");
  await say("Now one about tokens per second");
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await s.stop();
}
