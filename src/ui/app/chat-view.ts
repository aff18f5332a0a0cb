/** The open conversation: its messages (kept scrolled to the newest while reading there) and the composer. */
import { useEffect, useRef } from "./vendor/preact.js";
import { type ClickEvent, type PageElement, page } from "./browser.ts";
import { Composer } from "./composer.ts";
import { html } from "./html.ts";
import { Message } from "./message.ts";
import type { Conversation } from "./storage.ts";

/** What the chat view shows and reports. */
export interface ChatViewProps {
  conversation: Conversation | undefined;
  /** This conversation's answer is arriving. */
  streaming: boolean;
  /** Some answer is arriving (one at a time): the composer offers Stop. */
  busy: boolean;
  model: string;
  send: (text: string) => void;
  stop: () => void;
}

/** Copies a code block's text when its Copy button is clicked (buttons live inside rendered Markdown). */
function copyCode(e: ClickEvent) {
  const block = e.target?.closest("button.copy")?.closest(".code");
  const text = block?.querySelector("code")?.textContent;
  if (text) void page.navigator.clipboard?.writeText(text).catch(() => undefined);
}

/** The chat view. */
export function ChatView(p: ChatViewProps) {
  const list = useRef<PageElement>(null);
  const pinned = useRef(true);
  const messages = p.conversation?.messages ?? [];
  const last = messages[messages.length - 1];
  useEffect(() => {
    const el = list.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [messages.length, last?.content, last?.thinking, p.conversation?.id]);
  const onScroll = () => {
    const el = list.current;
    if (el) pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  };
  return html`<section class="chat">
    <div class="messages" ref=${list} onScroll=${onScroll} onClick=${copyCode}>
      ${
        messages.length === 0
          ? html`<div class="empty muted">${p.model ? `Chat with ${p.model}` : "Pick a model to start"}</div>`
          : messages.map(
              (m, i) =>
                html`<${Message} key=${i} message=${m} streaming=${p.streaming && i === messages.length - 1} />`,
            )
      }
    </div>
    <${Composer} streaming=${p.busy} disabled=${!p.model} send=${p.send} stop=${p.stop} />
  </section>`;
}
