/** The part of highlight.js the app uses, typed without the DOM library (see README.md). */

/** A language definition, registered by name. */
export type Language = (api: unknown) => unknown;

/** highlight.js's core API. */
export const hljs: {
  registerLanguage(name: string, language: Language): void;
  getLanguage(name: string): unknown;
  highlight(code: string, options: { language: string }): { value: string };
};

/** The languages the app highlights. */
export const bash: Language;
export const c: Language;
export const cpp: Language;
export const go: Language;
export const java: Language;
export const javascript: Language;
export const json: Language;
export const python: Language;
export const rust: Language;
export const typescript: Language;
export const xml: Language;
export const yaml: Language;
