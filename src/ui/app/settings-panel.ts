/** Settings: the API key, the system prompt, thinking, and common options (empty = the server's default). */
import { useState } from "./vendor/preact.js";
import type { ValueEvent } from "./browser.ts";
import { html } from "./html.ts";
import type { Settings } from "./storage.ts";
import type { ChatOptions } from "./wire.ts";

/** The options offered, with their input steps. */
const OPTIONS: { name: keyof ChatOptions; label: string; step: string; hint: string }[] = [
  { name: "temperature", label: "Temperature", step: "0.05", hint: "0.8" },
  { name: "top_p", label: "Top P", step: "0.05", hint: "0.9" },
  { name: "top_k", label: "Top K", step: "1", hint: "40" },
  { name: "min_p", label: "Min P", step: "0.01", hint: "0" },
  { name: "repeat_penalty", label: "Repeat penalty", step: "0.05", hint: "1.1" },
  { name: "num_ctx", label: "Context (num_ctx)", step: "256", hint: "model default" },
  { name: "num_predict", label: "Max tokens (num_predict)", step: "1", hint: "unlimited" },
  { name: "seed", label: "Seed", step: "1", hint: "random" },
];

/** What the panel edits. */
export interface SettingsProps {
  settings: Settings;
  apiKey: string;
  canThink: boolean;
  change: (s: Settings) => void;
  changeKey: (key: string) => void;
  close: () => void;
}

/** The settings panel. */
export function SettingsPanel(p: SettingsProps) {
  const [key, setKey] = useState(p.apiKey);
  const s = p.settings;
  const setOption = (name: keyof ChatOptions, raw: string) => {
    const options = { ...s.options };
    const v = raw.trim() === "" ? Number.NaN : Number(raw);
    if (Number.isFinite(v)) options[name] = v;
    else delete options[name];
    p.change({ ...s, options });
  };
  return html`<aside class="settings" aria-label="Settings">
    <header><h2>Settings</h2><button type="button" class="icon" aria-label="Close settings" onClick=${p.close}>×</button></header>
    <form class="key" onSubmit=${(e: { preventDefault(): void }) => (e.preventDefault(), p.changeKey(key.trim()))}>
      <label for="api-key">API key <span class="muted small">(for servers with TSLLM_API_KEYS)</span></label>
      <div class="row">
        <input id="api-key" type="password" autocomplete="off" value=${key} onInput=${(e: ValueEvent) => setKey(e.currentTarget.value)} />
        <button type="submit">Save</button>
      </div>
    </form>
    <label for="system">System prompt</label>
    <textarea id="system" rows="4" value=${s.system} onInput=${(e: ValueEvent) => p.change({ ...s, system: e.currentTarget.value })}></textarea>
    <label class="check">
      <input type="checkbox" checked=${s.think} onChange=${(e: ValueEvent) => p.change({ ...s, think: !!e.currentTarget.checked })} />
      Think ${p.canThink ? "" : html`<span class="muted small">(this model has no thinking)</span>`}
    </label>
    <div class="options">
      ${OPTIONS.map(
        (o) => html`<label key=${o.name}>
          <span>${o.label}</span>
          <input
            type="number"
            name=${o.name}
            step=${o.step}
            placeholder=${o.hint}
            defaultValue=${s.options[o.name] ?? ""}
            onInput=${(e: ValueEvent) => setOption(o.name, e.currentTarget.value)}
          />
        </label>`,
      )}
    </div>
  </aside>`;
}
