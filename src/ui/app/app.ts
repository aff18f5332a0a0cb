/**
 * The page: a top bar (model picker, Chat/Models, settings), the conversation list, and the chat or models
 * view. The route lives in the URL hash (#/c/<id>, #/models) so a reload lands where the user was.
 */
import { useEffect, useMemo, useRef, useState } from "./vendor/preact.js";
import { type ApiContext, getJson, messageOf } from "./api.ts";
import { type KeyEvent, page, type ValueEvent } from "./browser.ts";
import { ChatView } from "./chat-view.ts";
import { html } from "./html.ts";
import { ModelsPage } from "./models-page.ts";
import { SettingsPanel } from "./settings-panel.ts";
import { Sidebar } from "./sidebar.ts";
import { loadKey, loadSettings, type Settings, saveKey, saveSettings } from "./storage.ts";
import { useChat } from "./use-chat.ts";
import type { ModelTag } from "./wire.ts";

type Route = { page: "chat"; id: string | null } | { page: "models" };

function routeFromHash(): Route {
  const h = page.location.hash;
  if (h === "#/models") return { page: "models" };
  const m = /^#\/c\/([\w-]+)$/.exec(h);
  return { page: "chat", id: m ? (m[1] as string) : null };
}

const go = (r: Route) => {
  page.location.hash = r.page === "models" ? "#/models" : r.id ? `#/c/${r.id}` : "#/";
};

/** Chat models first: a tag whose capabilities are listed and lack "completion" (an embedder) is left out. */
const chatModels = (tags: ModelTag[]) =>
  tags.filter((m) => !m.capabilities || m.capabilities.includes("completion"));

/** The app. */
export function App() {
  const [settings, setSettingsState] = useState<Settings>(loadSettings);
  const [key, setKeyState] = useState(loadKey);
  const ctx = useMemo<ApiContext>(() => ({ key }), [key]);
  const [route, setRoute] = useState<Route>(routeFromHash);
  const [models, setModels] = useState<ModelTag[]>([]);
  const [notice, setNotice] = useState("");
  const [showSettings, setShowSettings] = useState(false);
  const [showSidebar, setShowSidebar] = useState(false);
  const [canThink, setCanThink] = useState(false);
  const caps = useRef(new Map<string, Promise<string[]>>());

  const capabilities = (model: string): Promise<string[]> => {
    let p = caps.current.get(model);
    if (!p) {
      p = getJson<{ capabilities?: string[] }>(ctx, "POST", "/api/show", { model }).then(
        (r) => r.capabilities ?? [],
        () => (caps.current.delete(model), []),
      );
      caps.current.set(model, p);
    }
    return p;
  };
  const chat = useChat(ctx, settings, async (m) => (await capabilities(m)).includes("thinking"));
  const current =
    route.page === "chat" && route.id ? chat.conversations.find((c) => c.id === route.id) : undefined;
  const model = current?.model || settings.model;

  const setSettings = (s: Settings) => {
    setSettingsState(s);
    saveSettings(s);
  };
  const refreshModels = async () => {
    try {
      const list = chatModels((await getJson<{ models: ModelTag[] }>(ctx, "GET", "/api/tags")).models ?? []);
      setModels(list);
      setNotice("");
      if (!settings.model && list[0]) setSettings({ ...settings, model: list[0].name });
    } catch (e) {
      setNotice(messageOf(e));
    }
  };

  useEffect(() => {
    caps.current.clear();
    void refreshModels();
  }, [key]);
  useEffect(() => {
    let live = true;
    if (model) void capabilities(model).then((c) => live && setCanThink(c.includes("thinking")));
    return () => {
      live = false;
    };
  }, [model, key]);
  useEffect(() => {
    const onHash = () => setRoute(routeFromHash());
    const onKey = (e: KeyEvent) => {
      if (e.key === "Escape" && chat.streamingId) chat.stop();
    };
    page.addEventListener("hashchange", onHash);
    page.addEventListener("keydown", onKey);
    return () => {
      page.removeEventListener("hashchange", onHash);
      page.removeEventListener("keydown", onKey);
    };
  }, [chat.streamingId]);
  useEffect(() => {
    page.document.title = current ? `${current.title} · tsllm` : "tsllm";
  }, [current?.title]);

  const pick = (name: string) => {
    setSettings({ ...settings, model: name });
    if (current) chat.setModel(current.id, name);
  };
  const open = (id: string | null) => {
    go({ page: "chat", id });
    setShowSidebar(false);
  };
  const remove = (id: string) => {
    chat.remove(id);
    if (route.page === "chat" && route.id === id) open(null);
  };
  const send = (text: string) => {
    const id = chat.send(current?.id ?? null, model, text);
    if (!current) go({ page: "chat", id });
  };
  const listed = models.some((m) => m.name === model);

  return html`<div class=${`layout${showSidebar ? " sidebar-open" : ""}`}>
    <header class="topbar">
      <button type="button" class="icon menu" aria-label="Conversations" onClick=${() => setShowSidebar(!showSidebar)}>☰</button>
      <span class="brand">tsllm</span>
      <nav class="tabs">
        <a href="#/" class=${route.page === "chat" ? "active" : ""}>Chat</a>
        <a href="#/models" class=${route.page === "models" ? "active" : ""}>Models</a>
      </nav>
      <select aria-label="Model" value=${model} onChange=${(e: ValueEvent) => pick(e.currentTarget.value)}>
        ${models.length === 0 && !model ? html`<option value="">No models</option>` : null}
        ${model && !listed ? html`<option value=${model}>${model} (not installed)</option>` : null}
        ${models.map((m) => html`<option key=${m.name} value=${m.name}>${m.name}</option>`)}
      </select>
      <button type="button" class="icon" aria-label="Settings" onClick=${() => setShowSettings(!showSettings)}>⚙</button>
    </header>
    <${Sidebar}
      conversations=${chat.conversations}
      currentId=${current?.id ?? null}
      streamingId=${chat.streamingId}
      open=${open}
      remove=${remove}
    />
    <main>
      ${notice ? html`<div class="error notice" role="alert">${notice}${/key|auth/i.test(notice) ? " — set an API key in Settings (⚙)." : ""}</div>` : null}
      ${
        route.page === "models"
          ? html`<${ModelsPage} ctx=${ctx} models=${models} refresh=${refreshModels} />`
          : html`<${ChatView}
              conversation=${current}
              streaming=${!!current && chat.streamingId === current.id}
              busy=${chat.streamingId !== null}
              model=${model}
              send=${send}
              stop=${chat.stop}
            />`
      }
    </main>
    ${
      showSettings
        ? html`<${SettingsPanel}
            settings=${settings}
            apiKey=${key}
            canThink=${canThink}
            change=${setSettings}
            changeKey=${(k: string) => (saveKey(k), setKeyState(k))}
            close=${() => setShowSettings(false)}
          />`
        : null
    }
  </div>`;
}
