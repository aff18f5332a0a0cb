/** The message box: Enter sends, Shift+Enter makes a new line; Send turns into Stop while an answer arrives. */
import { useEffect, useRef, useState } from "./vendor/preact.js";
import type { KeyEvent, PageElement, ValueEvent } from "./browser.ts";
import { html } from "./html.ts";

/** What the composer needs. */
export interface ComposerProps {
  streaming: boolean;
  disabled: boolean;
  send: (text: string) => void;
  stop: () => void;
}

/** The composer. */
export function Composer(p: ComposerProps) {
  const [text, setText] = useState("");
  const box = useRef<PageElement>(null);
  useEffect(() => box.current?.focus(), [p.streaming]);
  const submit = () => {
    if (p.streaming || p.disabled || !text.trim()) return;
    p.send(text);
    setText("");
  };
  const onKey = (e: KeyEvent) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  };
  return html`<form class="composer" onSubmit=${(e: KeyEvent) => (e.preventDefault(), submit())}>
    <textarea
      ref=${box}
      rows="2"
      placeholder="Message · Enter sends, Shift+Enter new line, Esc stops"
      aria-label="Message"
      value=${text}
      onInput=${(e: ValueEvent) => setText(e.currentTarget.value)}
      onKeyDown=${onKey}
    ></textarea>
    ${
      p.streaming
        ? html`<button type="button" class="stop" onClick=${p.stop}>Stop</button>`
        : html`<button type="submit" class="primary" disabled=${p.disabled || !text.trim()}>Send</button>`
    }
  </form>`;
}
