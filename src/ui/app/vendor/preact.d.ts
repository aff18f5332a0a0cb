/** The part of Preact (and preact/hooks) the app uses, typed without the DOM library (see README.md). */

/** A virtual DOM element. */
export interface VNode {
  type: unknown;
  props: Record<string, unknown>;
  key?: unknown;
}

/** A mutable reference (useRef, or `ref=` on an element). */
export interface Ref<T> {
  current: T;
}

/** Creates an element (htm calls it). */
export function h(type: unknown, props: Record<string, unknown> | null, ...children: unknown[]): VNode;

/** Renders `vnode` into a DOM element. */
export function render(vnode: VNode, parent: unknown): void;

/** Component state. */
export function useState<S>(initial: S | (() => S)): [S, (next: S | ((prev: S) => S)) => void];

/** A side effect after render, re-run when `inputs` change; it may return its cleanup. */
export function useEffect(effect: () => void | (() => void), inputs?: readonly unknown[]): void;

/** A value recomputed only when `inputs` change. */
export function useMemo<T>(factory: () => T, inputs: readonly unknown[]): T;

/** A reference kept across renders. */
export function useRef<T>(initial: T): Ref<T>;
/** A reference to an element, set by `ref=`. */
export function useRef<T>(initial: null): Ref<T | null>;
