/**
 * The few browser objects the app touches, typed here: the server's type program has no DOM library (adding
 * it would retype fetch and streams for all server code), so the app reaches the page through these.
 */

/** An element the app reads or moves (focus, scroll, size). */
export interface PageElement {
  focus(): void;
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
  closest(selector: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
  getAttribute(name: string): string | null;
  textContent: string | null;
}

/** A form control's value as an input event carries it. */
export interface ValueEvent {
  currentTarget: { value: string; checked?: boolean };
}

/** A key press (composer and global shortcuts). */
export interface KeyEvent {
  key: string;
  shiftKey: boolean;
  isComposing: boolean;
  preventDefault(): void;
}

/** A click whose target may be inside a rendered message (copy buttons). */
export interface ClickEvent {
  target: PageElement | null;
  preventDefault(): void;
}

/** What `localStorage` offers. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The page's globals the app uses. */
export interface BrowserWindow {
  document: {
    getElementById(id: string): PageElement | null;
    title: string;
  };
  localStorage: KeyValueStorage;
  location: { hash: string };
  navigator: { clipboard?: { writeText(text: string): Promise<void> } };
  confirm(message: string): boolean;
  addEventListener(type: "keydown", fn: (e: KeyEvent) => void): void;
  addEventListener(type: "hashchange" | "pagehide", fn: () => void): void;
  removeEventListener(type: "keydown", fn: (e: KeyEvent) => void): void;
  removeEventListener(type: "hashchange" | "pagehide", fn: () => void): void;
  requestAnimationFrame(fn: () => void): number;
}

/** The page. */
export const page = globalThis as unknown as BrowserWindow;
