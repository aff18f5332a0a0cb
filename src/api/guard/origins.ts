/**
 * The browser Origin allow list: Ollama's defaults (localhost, 127.0.0.1 and 0.0.0.0 on http and https with
 * any port, and the app://, file://, tauri://, vscode-webview:// and vscode-file:// schemes of desktop
 * apps and editors) plus TSLLM_ORIGINS (else OLLAMA_ORIGINS), where `*` matches any run of characters and a
 * lone `*` allows every origin. Compiled once into one regular expression.
 */

/** The origins always allowed (Ollama's envconfig.AllowedOrigins defaults). */
export const DEFAULT_ORIGINS: readonly string[] = [
  ...["localhost", "127.0.0.1", "0.0.0.0"].flatMap((h) => [
    `http://${h}`,
    `https://${h}`,
    `http://${h}:*`,
    `https://${h}:*`,
  ]),
  "app://*",
  "file://*",
  "tauri://*",
  "vscode-webview://*",
  "vscode-file://*",
];

const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");

/** A compiled origin allow list. */
export class OriginPolicy {
  readonly #re: RegExp;

  /** `extra`: the configured patterns (comma-separated setting, already split). */
  constructor(extra: readonly string[]) {
    const patterns = [...extra.map((o) => o.trim()).filter(Boolean), ...DEFAULT_ORIGINS];
    const alternatives = patterns.map((p) => p.toLowerCase().split("*").map(escape).join(".*"));
    this.#re = new RegExp(`^(?:${alternatives.join("|")})$`);
  }

  /** Whether a request carrying this Origin header may be served. */
  allows(origin: string): boolean {
    return this.#re.test(origin.toLowerCase());
  }
}
