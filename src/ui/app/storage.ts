/**
 * What the app keeps in the browser's localStorage: conversations, settings, and the API key (on its own
 * key so it can be cleared alone). Stored values are parsed defensively: a hand-edited or older entry
 * yields the defaults rather than a broken page.
 */
import { page } from "./browser.ts";
import type { ChatOptions } from "./wire.ts";

/** Per-answer figures: time to first chunk (client clock), tokens and tokens/s from the final chunk. */
export interface AnswerStats {
  ttftMs?: number;
  evalCount?: number;
  tokensPerSecond?: number;
  promptTokens?: number;
  doneReason?: string;
}

/** One turn as stored. */
export interface StoredMessage {
  role: "user" | "assistant";
  content: string;
  thinking?: string;
  stats?: AnswerStats;
  /** The server's error text when the answer failed. */
  error?: string;
  /** The user stopped the answer. */
  stopped?: boolean;
  /** Saved while still arriving, and the page went away before it ended: what had arrived by then. */
  interrupted?: boolean;
}

/** A conversation as stored. */
export interface Conversation {
  id: string;
  title: string;
  model: string;
  messages: StoredMessage[];
  updatedAt: number;
}

/** The user's settings. */
export interface Settings {
  model: string;
  system: string;
  /** Ask thinking models to think (sent only to models with the thinking capability). */
  think: boolean;
  options: ChatOptions;
}

const CONVERSATIONS = "tsllm.ui.conversations.v1";
const SETTINGS = "tsllm.ui.settings.v1";
const KEY = "tsllm.ui.apiKey";

/** Settings before the user changes anything. */
export const DEFAULT_SETTINGS: Settings = { model: "", system: "", think: true, options: {} };

function read<T>(key: string): T | undefined {
  try {
    const raw = page.localStorage.getItem(key);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  } catch {
    return undefined;
  }
}

function write(key: string, value: unknown): void {
  try {
    page.localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // storage full or disabled: the page keeps working without persistence
  }
}

const isConversation = (c: unknown): c is Conversation =>
  typeof c === "object" &&
  c !== null &&
  typeof (c as Conversation).id === "string" &&
  Array.isArray((c as Conversation).messages);

/** The stored conversations, most recent first. */
export function loadConversations(): Conversation[] {
  const list = read<unknown[]>(CONVERSATIONS);
  if (!Array.isArray(list)) return [];
  return list.filter(isConversation).sort((a, b) => b.updatedAt - a.updatedAt);
}

/** Replaces the stored conversations. */
export function saveConversations(list: readonly Conversation[]): void {
  write(CONVERSATIONS, list);
}

/** The stored settings merged over the defaults. */
export function loadSettings(): Settings {
  const s = read<Partial<Settings>>(SETTINGS) ?? {};
  return {
    ...DEFAULT_SETTINGS,
    ...s,
    options: typeof s.options === "object" && s.options !== null ? s.options : {},
  };
}

/** Stores the settings. */
export function saveSettings(s: Settings): void {
  write(SETTINGS, s);
}

/** The stored API key, or "". */
export function loadKey(): string {
  return page.localStorage.getItem(KEY) ?? "";
}

/** Stores the API key; an empty key removes it. */
export function saveKey(key: string): void {
  if (key) page.localStorage.setItem(KEY, key);
  else page.localStorage.removeItem(KEY);
}

/** A new conversation's id: time plus randomness, unique within one browser. */
export function newId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
