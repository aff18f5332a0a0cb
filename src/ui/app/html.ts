/** Preact elements from tagged templates (htm): components without a JSX build step. */
import htm from "htm";
import { h, type VNode } from "./vendor/preact.js";

/** `html\`<div class=${c}>…</div>\`` → a Preact element. */
export const html = htm.bind(h) as (strings: TemplateStringsArray, ...values: unknown[]) => VNode;
