/** One turn of a conversation: the user's text, or an answer (thinking folded, Markdown, figures, error). */
import { useMemo } from "./vendor/preact.js";
import { millis } from "./format.ts";
import { html } from "./html.ts";
import { renderMarkdown } from "./markdown.ts";
import type { AnswerStats, StoredMessage } from "./storage.ts";

function statsLine(s: AnswerStats | undefined): string {
  if (!s) return "";
  const parts: string[] = [];
  if (s.ttftMs !== undefined) parts.push(`TTFT ${millis(s.ttftMs)}`);
  if (s.tokensPerSecond !== undefined) parts.push(`${s.tokensPerSecond.toFixed(1)} tok/s`);
  if (s.evalCount !== undefined) parts.push(`${s.evalCount} tokens`);
  if (s.doneReason && s.doneReason !== "stop") parts.push(`ended: ${s.doneReason}`);
  return parts.join(" · ");
}

function Thinking({ text, live }: { text: string; live: boolean }) {
  return html`<details class="thinking">
    <summary>${live ? "Thinking…" : "Thought"} <span class="muted">(${text.length} chars)</span></summary>
    <div class="thinking-text">${text}</div>
  </details>`;
}

/** A rendered message; `streaming` while its answer is still arriving. */
export function Message({ message: m, streaming }: { message: StoredMessage; streaming: boolean }) {
  const body = useMemo(() => (m.role === "assistant" ? renderMarkdown(m.content) : ""), [m.role, m.content]);
  if (m.role === "user") return html`<div class="msg user"><div class="bubble">${m.content}</div></div>`;
  const waiting = streaming && !m.content && !m.thinking;
  const line = statsLine(m.stats);
  return html`<div class="msg assistant" data-streaming=${streaming ? "true" : "false"}>
    ${m.thinking ? html`<${Thinking} text=${m.thinking} live=${streaming && !m.content} />` : null}
    ${waiting ? html`<div class="muted typing">…</div>` : null}
    <div class="md" dangerouslySetInnerHTML=${{ __html: body }}></div>
    ${m.error ? html`<div class="error" role="alert">${m.error}</div>` : null}
    ${
      m.stopped || m.interrupted || line
        ? html`<div class="stats">${m.stopped ? html`<span class="stopped">stopped</span>` : null}${m.interrupted ? html`<span class="stopped">interrupted</span>` : null}${line ? ` ${line}` : ""}</div>`
        : null
    }
  </div>`;
}
