/**
 * The conversations and the answer in flight: the list lives in a ref (the truth, so stream callbacks never
 * see a stale copy) mirrored into state for rendering. Each finished change is written to localStorage; an
 * answer in flight is saved at most once a second, marked interrupted until its end replaces it, so a reload
 * mid-answer keeps what had arrived.
 */
import { useRef, useState } from "./vendor/preact.js";
import type { ApiContext } from "./api.ts";
import { streamAnswer } from "./chat-stream.ts";
import {
  type Conversation,
  loadConversations,
  newId,
  type Settings,
  type StoredMessage,
  saveConversations,
} from "./storage.ts";

/** What the chat view works with. */
export interface ChatState {
  conversations: Conversation[];
  /** The id of the conversation whose answer is arriving, or null. */
  streamingId: string | null;
  /** Sends `text` in conversation `id` (a new one when null) to `model`; returns the conversation's id. */
  send(id: string | null, model: string, text: string): string;
  /** Stops the answer in flight, keeping what arrived. */
  stop(): void;
  remove(id: string): void;
  setModel(id: string, model: string): void;
}

/** How often an answer in flight is saved. */
const PARTIAL_SAVE_MS = 1000;

const titleOf = (text: string) => {
  const line = text.trim().split("\n")[0] ?? "";
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
};

/** The chat state; `thinks(model)` says whether to ask the model to think. */
export function useChat(
  ctx: ApiContext,
  settings: Settings,
  thinks: (model: string) => Promise<boolean>,
): ChatState {
  const list = useRef<Conversation[]>(loadConversations());
  const [conversations, setConversations] = useState(list.current);
  const [streamingId, setStreamingId] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);

  const apply = (fn: (l: Conversation[]) => Conversation[], persist: boolean) => {
    list.current = fn(list.current);
    setConversations(list.current);
    if (persist) saveConversations(list.current);
  };
  const edit = (id: string, fn: (c: Conversation) => Conversation) => (l: Conversation[]) =>
    l.map((c) => (c.id === id ? fn(c) : c));

  function send(id: string | null, model: string, text: string): string {
    const cid = id ?? newId();
    if (id === null)
      apply(
        (l) => [{ id: cid, title: titleOf(text), model, messages: [], updatedAt: Date.now() }, ...l],
        false,
      );
    const user: StoredMessage = { role: "user", content: text };
    const pending: StoredMessage = { role: "assistant", content: "" };
    apply(
      edit(cid, (c) => ({ ...c, model, messages: [...c.messages, user, pending], updatedAt: Date.now() })),
      true,
    );
    const history = list.current.find((c) => c.id === cid)?.messages.slice(0, -1) ?? [user];
    const abort = new AbortController();
    controller.current = abort;
    setStreamingId(cid);
    void answer(cid, model, history, abort);
    return cid;
  }

  async function answer(cid: string, model: string, history: StoredMessage[], abort: AbortController) {
    const replaceLast = (a: StoredMessage) =>
      edit(cid, (c) => ({ ...c, messages: [...c.messages.slice(0, -1), a] }));
    let savedAt = Date.now();
    const arrived = (a: StoredMessage) => {
      apply(replaceLast(a), false);
      if (Date.now() - savedAt < PARTIAL_SAVE_MS) return;
      savedAt = Date.now();
      saveConversations(replaceLast({ ...a, interrupted: true })(list.current));
    };
    try {
      const think = settings.think && (await thinks(model));
      const request = { model, system: settings.system, history, think, options: settings.options };
      const done = await streamAnswer(ctx, request, abort.signal, arrived);
      apply(replaceLast(done), true);
    } finally {
      controller.current = null;
      setStreamingId(null);
    }
  }

  return {
    conversations,
    streamingId,
    send,
    stop: () => controller.current?.abort(),
    remove: (id) => apply((l) => l.filter((c) => c.id !== id), true),
    setModel: (id, model) =>
      apply(
        edit(id, (c) => ({ ...c, model })),
        true,
      ),
  };
}
