/**
 * Native libraries embedded in a compiled executable: variant → file name → path inside the executable.
 * Empty in development (libraries come from node_modules); build.ts replaces this module's contents at
 * compile time with `import … with { type: "file" }` lines.
 */
export const EMBEDDED_LIBS: Record<string, Record<string, string>> = {};
