/**
 * Borderless columns as the Ollama CLI prints them (tablewriter with no whitespace and 4-space padding):
 * every cell left-aligned and padded to its column, then 4 spaces; the header's last cell gets 1 space.
 */

/** Display width of a string (wide East Asian characters and emoji count 2). */
export function displayWidth(s: string): number {
  return Bun.stringWidth(s);
}

/** Words of `text` wrapped to lines at most `limit` wide (a longer single word stays whole). */
export function wrapCell(text: string, limit: number): string[] {
  if (displayWidth(text) <= limit) return [text];
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && displayWidth(line) + 1 + displayWidth(word) > limit) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.length ? lines : [""];
}

/** Options of one table. */
export interface TableOptions {
  header?: string[];
  /** Cells wider than this are word-wrapped onto extra lines (tablewriter's default is 30). */
  colWidth?: number;
}

const PAD = "    ";

/** Renders rows (and an optional header) to text ending with a newline; "" when there is nothing. */
export function renderTable(rows: string[][], opts: TableOptions = {}): string {
  const limit = opts.colWidth ?? 30;
  const wrapped = rows.map((r) => r.map((c) => wrapCell(c, limit)));
  const ncols = Math.max(opts.header?.length ?? 0, ...rows.map((r) => r.length));
  const widths: number[] = new Array(ncols).fill(0);
  const measure = (cells: string[][]) =>
    cells.forEach((lines, i) => {
      for (const l of lines) widths[i] = Math.max(widths[i] as number, displayWidth(l));
    });
  const header = opts.header?.map((h) => wrapCell(h, limit));
  if (header) measure(header);
  for (const r of wrapped) measure(r);
  const pad = (s: string, i: number) => s + " ".repeat(Math.max(0, (widths[i] as number) - displayWidth(s)));
  let out = "";
  if (header)
    out += `${header.map((lines, i) => pad(lines[0] ?? "", i) + (i === ncols - 1 ? " " : PAD)).join("")}\n`;
  for (const r of wrapped) {
    const height = Math.max(1, ...r.map((l) => l.length));
    for (let line = 0; line < height; line++)
      out += `${Array.from({ length: ncols }, (_, i) => pad(r[i]?.[line] ?? "", i) + PAD).join("")}\n`;
  }
  return out;
}
