/**
 * The models page: what is loaded and where its memory is (size vs size_vram from /api/ps), the installed
 * models with delete, and pull with live progress.
 */
import { useEffect, useRef, useState } from "./vendor/preact.js";
import { type ApiContext, getJson, messageOf, send } from "./api.ts";
import { page, type ValueEvent } from "./browser.ts";
import { bytes, processor, relative } from "./format.ts";
import { html } from "./html.ts";
import { type PullView, pullModel } from "./pull.ts";
import type { ModelTag, RunningModel } from "./wire.ts";

/** What the page needs. */
export interface ModelsPageProps {
  ctx: ApiContext;
  models: ModelTag[];
  refresh: () => Promise<void>;
}

function Pull({ view }: { view: PullView }) {
  return html`<div class="pull-progress" aria-live="polite">
    <div>${view.model}: <strong>${view.error ? "failed" : view.status}</strong></div>
    ${view.layers.map(
      (l) => html`<div class="layer" key=${l.digest}>
        <span class="muted small">${l.digest.slice(7, 19)}</span>
        <progress max=${l.total} value=${l.completed}></progress>
        <span class="small">${bytes(l.completed)} / ${bytes(l.total)}</span>
      </div>`,
    )}
    ${view.error ? html`<div class="error" role="alert">${view.error}</div>` : null}
  </div>`;
}

/** The models page. */
export function ModelsPage(p: ModelsPageProps) {
  const [running, setRunning] = useState<RunningModel[]>([]);
  const [error, setError] = useState("");
  const [name, setName] = useState("");
  const [insecure, setInsecure] = useState(false);
  const [pull, setPull] = useState<PullView | null>(null);
  const pulling = useRef<AbortController | null>(null);

  const load = async () => {
    try {
      setRunning((await getJson<{ models: RunningModel[] }>(p.ctx, "GET", "/api/ps")).models ?? []);
      await p.refresh();
      setError("");
    } catch (e) {
      setError(messageOf(e));
    }
  };
  useEffect(() => {
    void load();
  }, [p.ctx.key]);

  const startPull = async () => {
    const model = name.trim();
    if (!model || pulling.current) return;
    const abort = new AbortController();
    pulling.current = abort;
    const view = await pullModel(p.ctx, model, insecure, abort.signal, setPull);
    pulling.current = null;
    setPull({ ...view });
    if (view.done) await load();
  };
  const remove = async (model: string) => {
    if (!page.confirm(`Delete ${model}?`)) return;
    try {
      await send(p.ctx, "DELETE", "/api/delete", { model });
      await load();
    } catch (e) {
      setError(messageOf(e));
    }
  };

  return html`<section class="models-page">
    ${error ? html`<div class="error" role="alert">${error}</div>` : null}
    <h2>Loaded <button type="button" class="small" onClick=${load}>Refresh</button></h2>
    ${
      running.length === 0
        ? html`<p class="muted">No model is loaded.</p>`
        : html`<table class="loaded"><thead><tr><th>Model</th><th>Size</th><th>Processor</th><th>Context</th><th>Until</th></tr></thead><tbody>
          ${running.map(
            (m) => html`<tr key=${m.name}>
              <td>${m.name}</td><td>${bytes(m.size)}</td>
              <td title=${`${bytes(m.size_vram)} of ${bytes(m.size)} on GPU`}>${processor(m.size, m.size_vram)}</td>
              <td>${m.context_length ?? ""}</td><td>${relative(m.expires_at)}</td>
            </tr>`,
          )}
        </tbody></table>`
    }
    <h2>Pull</h2>
    <form class="row" onSubmit=${(e: { preventDefault(): void }) => (e.preventDefault(), void startPull())}>
      <input aria-label="Model to pull" placeholder="e.g. llama3.2:1b" value=${name} onInput=${(e: ValueEvent) => setName(e.currentTarget.value)} />
      ${
        pull && !pull.done && !pull.error
          ? html`<button type="button" onClick=${() => pulling.current?.abort()}>Cancel</button>`
          : html`<button type="submit" class="primary" disabled=${!name.trim()}>Pull</button>`
      }
    </form>
    <label class="check small">
      <input type="checkbox" checked=${insecure} onChange=${(e: ValueEvent) => setInsecure(!!e.currentTarget.checked)} />
      Allow a plain-HTTP registry (insecure)
    </label>
    ${pull ? html`<${Pull} view=${pull} />` : null}
    <h2>Installed</h2>
    ${
      p.models.length === 0
        ? html`<p class="muted">No models yet.</p>`
        : html`<table class="installed"><thead><tr><th>Name</th><th>Parameters</th><th>Quantization</th><th>Size</th><th>Modified</th><th></th></tr></thead><tbody>
          ${p.models.map(
            (m) => html`<tr key=${m.name}>
              <td>${m.name}</td><td>${m.details?.parameter_size ?? ""}</td><td>${m.details?.quantization_level ?? ""}</td>
              <td>${bytes(m.size)}</td><td>${relative(m.modified_at)}</td>
              <td><button type="button" class="danger small" aria-label=${`Delete model ${m.name}`} onClick=${() => remove(m.name)}>Delete</button></td>
            </tr>`,
          )}
        </tbody></table>`
    }
  </section>`;
}
