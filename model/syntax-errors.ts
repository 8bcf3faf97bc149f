/**
 * Syntax errors of YAML and JSON spec files, said the way a person fixes them: one error at the
 * line where the mistake is (not the eight a parser reports after it), the right format's name,
 * and a hint that names the usual cause.
 */
import type { LineCounter, YAMLError } from 'yaml';
import { SpecError } from './errors';

/** 1-based `line:column` of a character offset. */
function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length))).split('\n');
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}

/** The error for a file with nothing in it (or only comments). */
export function emptyFileError(file: string): SpecError {
  return new SpecError(
    '',
    'is empty: the file describes no environment',
    'Start from `pvestack init` or an example in docs/examples/; an environment needs at least name, cluster, networks, admin and guests.',
  ).withLocation(`${file}:1:1`);
}

/**
 * `JSON.parse`'s complaint about a `.json` spec, at its line and column. YAML would accept some
 * of these files (trailing commas, comments), but a `.json` file is read by other tools too.
 */
export function jsonSyntaxError(text: string, file: string): SpecError | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (err) {
    const raw = (err as Error).message;
    // V8 says "... in JSON at position 18" (Node 20) or "... (line 3 column 3)" (newer).
    const at = /at position (\d+)/.exec(raw);
    const offset = at ? Number(at[1]) : /end of JSON input/.test(raw) ? text.length : 0;
    const problem = raw
      .replace(/ in JSON at position \d+.*$/, '')
      .replace(/ \(line \d+ column \d+\)$/, '')
      .replace(/^Unexpected end of JSON input$/, 'the file ends before the JSON is complete');
    const pos = lineCol(text, offset);
    return new SpecError(
      '',
      `is not valid JSON: ${problem}`,
      'Fix the JSON syntax at that line (JSON allows no comments and no trailing commas; a .yaml file does).',
    ).withLocation(`${file}:${pos.line}:${pos.col}`);
  }
}

/**
 * Where an unclosed `{` or `[` was opened: the parser only notices at the next line that does
 * not belong to it. Scans the text before `offset`, skipping quoted strings and comments.
 */
export function unclosedOpener(text: string, offset: number, bracket: '{' | '['): number | undefined {
  const stack: { char: string; at: number }[] = [];
  let quote: string | undefined;
  for (let i = 0; i < Math.min(offset, text.length); i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      else if (c === '\n' && stack.length === 0) quote = undefined;
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if ((c === '"' || c === "'") && (i === 0 || /[\s,[{:]/.test(text[i - 1]!))) quote = c;
    else if (c === '{' || c === '[') stack.push({ char: c, at: i });
    else if ((c === '}' || c === ']') && stack.length) stack.pop();
  }
  for (let k = stack.length - 1; k >= 0; k--) if (stack[k]!.char === bracket) return stack[k]!.at;
  return undefined;
}

/** Hints by the `yaml` library's error code, for the mistakes people make by hand. */
const HINTS: Readonly<Record<string, string>> = {
  BAD_INDENT: 'Check the indentation of that line: the keys of one object start at the same column, list items with "- ".',
  MISSING_CHAR: 'Check the indentation and punctuation of that line: the keys of one object start at the same column, list items with "- ".',
  BLOCK_AS_IMPLICIT_KEY: 'Check the indentation of that line: the keys of one object start at the same column.',
  MULTILINE_IMPLICIT_KEY: 'Check the indentation of that line: a key and its colon belong on one line.',
  TAB_AS_INDENT: 'Indent with spaces; YAML does not allow tabs there.',
  DUPLICATE_KEY: 'Remove or rename one of the two keys.',
};

/**
 * The first YAML syntax error, at the line of the mistake. Later errors are left out: after a
 * bad indent the parser reports every following line of the block, which hides the one to fix.
 */
export function yamlSyntaxError(errors: readonly YAMLError[], text: string, lines: LineCounter, file: string): SpecError {
  const first = errors[0]!;
  let offset = first.pos[0];
  let problem = first.message.split('\n')[0]!;
  const flow = /(map|sequence) .*end with an? ([}\]])/i.exec(problem);
  const opener = flow ? unclosedOpener(text, offset, flow[2] === '}' ? '{' : '[') : undefined;
  if (flow && opener !== undefined) {
    offset = opener;
    problem = `this ${flow[2] === '}' ? '{' : '['} is never closed`;
  }
  const pos = lines.linePos(offset);
  const more = errors.length - 1;
  const hint =
    (flow && opener !== undefined
      ? `Close it with ${flow[2]} on the same entry, or write it as indented lines.`
      : (HINTS[first.code] ?? 'Fix the YAML syntax at that line.')) +
    (more > 0 ? ` (${more} later syntax error${more === 1 ? '' : 's'} not shown: they usually follow from this one.)` : '');
  return new SpecError('', `is not valid YAML: ${problem}`, hint).withLocation(`${file}:${pos.line}:${pos.col}`);
}
