/**
 * The rows of the Markdown tables in a text, each as its trimmed cells. Tables are compared by cell,
 * not by spacing, because the formatter pads columns to their widest cell.
 */
export function markdownTableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => /^\s*\|.*\|\s*$/.test(line))
    .map((line) =>
      line
        .trim()
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
}

/** True when some table row of the text starts with these cells, in this order. */
export function hasTableRow(markdown: string, ...cells: string[]): boolean {
  return markdownTableRows(markdown).some((row) => cells.every((c, i) => row[i] === c));
}
