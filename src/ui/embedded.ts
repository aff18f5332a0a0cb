/**
 * The web UI's files embedded in a compiled executable: name under /ui/ → path inside the executable.
 * Empty in development (the server builds the UI from src/ui/app); build.ts replaces this module's
 * contents at compile time with `import … with { type: "file" }` lines (see embed.ts).
 */
export const EMBEDDED_UI: Record<string, string> = {};
