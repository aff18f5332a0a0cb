/**
 * For build.ts: builds the UI, writes its files into `dir`, and returns the source of the module that
 * replaces embedded.ts in the executable (each file imported `with { type: "file" }`, as the native
 * libraries are).
 */
import { join } from "node:path";
import { buildUiFiles } from "./bundle.ts";

/** The generated embedded.ts for a compile, and the built files' total size. */
export async function embeddedUiModule(dir: string): Promise<{ source: string; bytes: number }> {
  const files = await buildUiFiles();
  const imports: string[] = [];
  const rows: string[] = [];
  let bytes = 0;
  for (const [i, f] of files.entries()) {
    // The index page is stored as index.html ("" is not a file name); the name it is served under stays "".
    const path = join(dir, f.name || "index.html");
    await Bun.write(path, f.body);
    bytes += f.body.length;
    imports.push(`import ui${i} from ${JSON.stringify(path)} with { type: "file" };`);
    rows.push(`${JSON.stringify(f.name)}: ui${i}`);
  }
  const source = `${imports.join("\n")}\nexport const EMBEDDED_UI: Record<string, string> = { ${rows.join(", ")} };\n`;
  return { source, bytes };
}
