/** The conversation list: new chat, open one, delete one. */
import { html } from "./html.ts";
import type { Conversation } from "./storage.ts";

/** What the sidebar shows and reports. */
export interface SidebarProps {
  conversations: Conversation[];
  currentId: string | null;
  streamingId: string | null;
  open: (id: string | null) => void;
  remove: (id: string) => void;
}

/** The sidebar. */
export function Sidebar(p: SidebarProps) {
  return html`<nav class="sidebar" aria-label="Conversations">
    <button type="button" class="primary wide" onClick=${() => p.open(null)}>+ New chat</button>
    <ul class="conversations">
      ${p.conversations.map(
        (c) => html`<li key=${c.id} class=${c.id === p.currentId ? "current" : ""}>
          <button type="button" class="open" title=${c.title} onClick=${() => p.open(c.id)}>
            ${c.title || "(untitled)"}
            <span class="muted small">${c.model}</span>
          </button>
          <button
            type="button"
            class="icon"
            title="Delete conversation"
            aria-label=${`Delete ${c.title}`}
            disabled=${c.id === p.streamingId}
            onClick=${() => p.remove(c.id)}
          >×</button>
        </li>`,
      )}
    </ul>
    ${p.conversations.length === 0 ? html`<p class="muted small">No conversations yet.</p>` : null}
  </nav>`;
}
