import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../bin/cli';
import { renderGraph } from '../../bin/commands/graph';
import { loadEnvironment } from '../../stacks/registry';

/** What `pvestack <path> --help` prints, including the text commands add after the options. */
function helpOf(cmd: Command): string {
  let out = '';
  cmd.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  cmd.outputHelp();
  return out;
}

function commandPaths(program: Command): [string, Command][] {
  const all: [string, Command][] = [];
  const visit = (cmd: Command, prefix: string) => {
    const name = prefix ? `${prefix} ${cmd.name()}` : cmd.name();
    all.push([name, cmd]);
    cmd.commands.forEach((c) => visit(c, name));
  };
  program.commands.forEach((c) => visit(c, ''));
  return all;
}

describe('--help', () => {
  const commands = commandPaths(buildProgram());

  it('covers every command the program registers', () => {
    expect(commands.map(([name]) => name)).toEqual(expect.arrayContaining(['list', 'synth', 'check', 'diff', 'graph', 'up', 'down', 'deploy', 'lock status']));
  });

  it.each(commands)('pvestack %s --help shows at least one example of itself', (name, cmd) => {
    expect(helpOf(cmd)).toMatch(new RegExp(`\\nExamples:\\n(.*\\n)*  \\$ (\\S+=\\S+ )*pvestack ${name.replace(/ /g, ' ')}\\b`));
  });

  it('diff says that --base is required, in the usage line and beside the option', () => {
    const [, diff] = commands.find(([name]) => name === 'diff')!;
    const help = helpOf(diff);
    expect(help).toContain('Usage: pvestack diff --base <ref> [options] [env...]');
    expect(help).toMatch(/--base <ref>\s+git ref to compare against, e\.g\. origin\/main \(required\)/);
  });

  it('graph writes to --file (the global --out is the synth directory) and offers no --output in help', () => {
    const [, graph] = commands.find(([name]) => name === 'graph')!;
    expect(helpOf(graph)).toContain('--file <file>');
    expect(helpOf(graph)).not.toContain('--output');
  });
});

describe('graph formats', () => {
  const env = loadEnvironment('dev');

  it('fences the Mermaid diagram for Markdown by default, as the help says', () => {
    const text = renderGraph(env, 'markdown');
    expect(text.startsWith('```mermaid\nflowchart LR\n')).toBe(true);
    expect(text.endsWith('\n```\n')).toBe(true);
    expect(text).toBe(`\`\`\`mermaid\n${renderGraph(env, 'mermaid').trimEnd()}\n\`\`\`\n`);
  });

  it('keeps the bare diagram for .mmd files and mermaid-cli', () => {
    expect(renderGraph(env, 'mermaid').startsWith('flowchart LR\n')).toBe(true);
  });
});
