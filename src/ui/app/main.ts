/** The web UI's entry: styles, then the app rendered into #app. */
import "./styles/theme.css";
import "./styles/layout.css";
import "./styles/chat.css";
import "./styles/panels.css";
import "./styles/highlight.css";
import { render } from "./vendor/preact.js";
import { html } from "./html.ts";
import { App } from "./app.ts";
import { page } from "./browser.ts";

render(html`<${App} />`, page.document.getElementById("app"));
