/**
 * Builds the web UI with `Bun.build`: app/main.ts (Preact, marked, highlight.js and the CSS it imports)
 * minified into content-hashed files, plus index.html naming them and the icon. build.ts runs this to
 * embed the result in the executable; in development (`bun src/main.ts serve`) the server runs it on the
 * first /ui request.
 */
import { join } from "node:path";
import { UiUnavailableError } from "./errors.ts";

/** One file of the UI as served under /ui/. */
export interface UiFile {
  /** The path under /ui/ ("" is the index page). */
  name: string;
  /** Content-Type. */
  type: string;
  body: Uint8Array;
}

const APP = join(import.meta.dir, "app");

/** Content types by file extension. */
export function contentType(name: string): string {
  if (name === "" || name.endsWith(".html")) return "text/html; charset=utf-8";
  if (name.endsWith(".js")) return "text/javascript; charset=utf-8";
  if (name.endsWith(".css")) return "text/css; charset=utf-8";
  if (name.endsWith(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

function indexHtml(script: string, style: string | undefined): string {
  const css = style ? `<link rel="stylesheet" href="/ui/${style}">` : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>tsllm</title>
<link rel="icon" href="/ui/favicon.svg" type="image/svg+xml">
${css}
<script type="module" src="/ui/${script}"></script>
</head>
<body><div id="app"></div><noscript>The tsllm chat needs JavaScript.</noscript></body>
</html>
`;
}

/** Builds every file of the UI. Throws with the bundler's messages when the build fails. */
export async function buildUiFiles(): Promise<UiFile[]> {
  const result = await Bun.build({
    entrypoints: [join(APP, "main.ts")],
    target: "browser",
    format: "esm",
    minify: true,
    naming: { entry: "[name]-[hash].[ext]", asset: "[name]-[hash].[ext]", chunk: "[name]-[hash].[ext]" },
  });
  if (!result.success) throw new UiUnavailableError(`build failed: ${result.logs.map(String).join("\n")}`);
  const files: UiFile[] = [];
  for (const out of result.outputs) {
    if (out.kind === "sourcemap") continue;
    const name = out.path.replace(/^\.?\//, "");
    files.push({ name, type: contentType(name), body: new Uint8Array(await out.arrayBuffer()) });
  }
  const script = files.find((f) => f.name.endsWith(".js"))?.name;
  if (!script) throw new UiUnavailableError("the build produced no script");
  const style = files.find((f) => f.name.endsWith(".css"))?.name;
  const enc = new TextEncoder();
  files.push({ name: "", type: contentType(""), body: enc.encode(indexHtml(script, style)) });
  files.push({
    name: "favicon.svg",
    type: contentType("favicon.svg"),
    body: await Bun.file(join(APP, "favicon.svg")).bytes(),
  });
  return files;
}
