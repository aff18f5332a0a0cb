/**
 * Headless Chromium for the UI tests, driven by playwright-core: Debian's `chromium` (never a downloaded
 * browser), started with the flags this sandbox needs (no sandbox as root, no background networking: the
 * machine has no network). `hasChromium` is false where it is not installed; the tests then skip.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** Whether the browser tests can run here. */
export const hasChromium = existsSync(CHROMIUM);

if (!hasChromium)
  console.warn(
    `skipping browser tests: ${CHROMIUM} not found (DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)`,
  );

/** Starts headless Chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A page's console errors and uncaught exceptions, collected from now on. */
export function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(`uncaught: ${e.message}`));
  return errors;
}

/** The last answer on the page as the user sees it (evaluated in the page). */
export interface AnswerView {
  streaming: boolean;
  text: string;
  thinking: string;
  thinkingOpen: boolean | null;
  stats: string;
  error: string;
}

/** What to wait for in the last answer (every given condition must hold). */
export interface AnswerWant {
  streaming?: boolean;
  textLongerThan?: number;
  statsInclude?: string;
  hasError?: boolean;
}

/** The few DOM members the page functions below read (the test program has no DOM library). */
interface El {
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  open?: boolean;
  querySelector(s: string): El | null;
}

/**
 * Runs in the page (self-contained: Playwright serializes it; a function rather than a string, which the
 * UI's CSP would refuse to eval): the last answer, or false while it does not match `want`.
 */
function matchLast(want: AnswerWant | null): AnswerView | false | null {
  const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<El> } })
    .document;
  const all = doc.querySelectorAll(".msg.assistant");
  const m = all[all.length - 1];
  if (!m) return want ? false : null;
  const details = m.querySelector("details.thinking");
  const a: AnswerView = {
    streaming: m.dataset.streaming === "true",
    text: m.querySelector(".md")?.textContent ?? "",
    thinking: m.querySelector(".thinking-text")?.textContent ?? "",
    thinkingOpen: details ? details.open === true : null,
    stats: m.querySelector(".stats")?.textContent ?? "",
    error: m.querySelector(".error")?.textContent ?? "",
  };
  if (!want) return a;
  if (want.streaming !== undefined && a.streaming !== want.streaming) return false;
  if (want.textLongerThan !== undefined && a.text.length <= want.textLongerThan) return false;
  if (want.statsInclude !== undefined && !a.stats.includes(want.statsInclude)) return false;
  if (want.hasError !== undefined && a.error.length > 0 !== want.hasError) return false;
  return a;
}

/** The last answer now. */
export async function lastAnswer(page: Page): Promise<AnswerView | null> {
  return (await page.evaluate(matchLast, null)) as AnswerView | null;
}

/** Waits until the last answer matches `want`; resolves with it. */
export async function waitForAnswer(page: Page, want: AnswerWant): Promise<AnswerView> {
  const handle = await page.waitForFunction(matchLast, want);
  return (await handle.jsonValue()) as AnswerView;
}
