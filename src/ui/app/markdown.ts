/**
 * Markdown → HTML for answers: marked (GFM, single newlines as breaks) with highlight.js on fenced code.
 * Model output is untrusted text, so raw HTML in it is shown escaped, links keep only http(s)/mailto and
 * relative targets, and images become links (the page never loads what an answer names; the CSP would
 * refuse it anyway).
 */
import * as languages from "./vendor/highlight.js";
import { Marked, type Tokens } from "marked";

const { hljs, ...langs } = languages;
for (const [name, lang] of Object.entries(langs)) hljs.registerLanguage(name, lang);

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text made safe to place in HTML content or a quoted attribute. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ESCAPES[ch] as string);
}

/** Whether a link target may be followed: web, mail, in-page or relative. */
function safeHref(href: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(href.trim());
  return scheme === null || ["http", "https", "mailto"].includes((scheme[1] as string).toLowerCase());
}

function highlighted(text: string, lang: string | undefined): string {
  const name = (lang ?? "").trim().split(/\s+/)[0]?.toLowerCase() ?? "";
  if (name && hljs.getLanguage(name)) return hljs.highlight(text, { language: name }).value;
  return escapeHtml(text);
}

const marked = new Marked({
  gfm: true,
  breaks: true,
  renderer: {
    html: ({ text }: Tokens.HTML | Tokens.Tag) => escapeHtml(text),
    code: ({ text, lang }: Tokens.Code) => {
      const label = lang ? `<span class="lang">${escapeHtml(lang)}</span>` : "";
      return `<div class="code">${label}<button type="button" class="copy" title="Copy">Copy</button><pre><code class="hljs">${highlighted(text, lang)}</code></pre></div>`;
    },
    link({ href, title, tokens }: Tokens.Link) {
      const inner = this.parser.parseInline(tokens);
      if (!safeHref(href)) return inner;
      const t = title ? ` title="${escapeHtml(title)}"` : "";
      return `<a href="${escapeHtml(href)}"${t} target="_blank" rel="noopener noreferrer">${inner}</a>`;
    },
    image: ({ href, text }: Tokens.Image) =>
      safeHref(href)
        ? `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">[image: ${escapeHtml(text)}]</a>`
        : escapeHtml(`[image: ${text}]`),
  },
});

/** An answer's Markdown as sanitized HTML. */
export function renderMarkdown(src: string): string {
  return marked.parse(src, { async: false }) as string;
}
