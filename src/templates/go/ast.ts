/** An operand inside a command: a field chain, variable, function name, literal or parenthesised pipeline. */
export type Arg =
  | { kind: "dot" }
  | { kind: "field"; path: string[] }
  | { kind: "var"; name: string; path: string[] }
  | { kind: "ident"; name: string }
  | { kind: "string"; value: string }
  | { kind: "number"; value: number }
  | { kind: "bool"; value: boolean }
  | { kind: "nil" }
  | { kind: "pipe"; pipe: Pipe; path: string[] };

/** Space-separated operands; the first decides whether this is a call or a value. */
export interface Command {
  args: Arg[];
}

/** `[$a, $b :=|=] cmd | cmd …` */
export interface Pipe {
  decl: string[];
  assign: boolean;
  cmds: Command[];
  line: number;
}

/** A parsed template node. */
export type Node =
  | { kind: "text"; text: string }
  | { kind: "action"; pipe: Pipe }
  | { kind: "if" | "with" | "range"; pipe: Pipe; list: Node[]; elseList?: Node[] }
  | { kind: "break" | "continue"; line: number };
