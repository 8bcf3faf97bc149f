import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { describeWithTools, scratchDir } from '../support/tools';

const CLI = path.resolve(__dirname, '../../bin/pvestack.js');
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICYhg3MaHJmBSHLIl27JrO797KlbHAjwq4tYKSzZFr7G ops@example.org';

// init asks only on a terminal: util-linux `script` gives it one, with the answers typed ahead.
describeWithTools('pvestack init on a terminal', ['script'], () => {
  const { dir, cleanup } = scratchDir('pvestack-init-tty-');
  afterAll(cleanup);
  const onTerminal = (answers: string[]) =>
    spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} init`, '/dev/null'], {
      cwd: dir,
      input: answers.map((a) => `${a}\n`).join(''),
      encoding: 'utf8',
      timeout: 120_000,
    });

  it('asks for name, format, nodes, GPUs, stacks, model and key, and writes what was answered', () => {
    const r = onTerminal(['demo', 'yaml', '2', '1', 'web,postgres,redis,vllm', '', KEY]);
    const out = r.stdout.replace(/\r/g, '');
    expect(out).toContain('Environment name (lowercase, becomes the output directory)? [lab] ');
    expect(out).toContain('Model vLLM serves (Hugging Face id)? [Qwen/Qwen2.5-7B-Instruct] ');
    expect(out).toContain('wrote envs/demo.yaml\nchecks demo: PASS');
    expect(r.status).toBe(0);
    const spec = parse(fs.readFileSync(path.join(dir, 'envs', 'demo.yaml'), 'utf8'));
    expect(spec.cluster.nodes.map((n: { name: string }) => n.name)).toEqual(['pve1', 'pve2']);
    expect(spec.guests.map((g: { name: string }) => g.name)).toEqual(['proxy', 'web', 'db', 'cache', 'llm']);
    expect(spec.admin.sshKeys).toEqual([KEY]);
  });

  it('stops with a user error, not an internal one, when the input ends early', () => {
    const r = onTerminal(['half']);
    const out = r.stdout.replace(/\r/g, '');
    expect(out).toContain(
      'error: init stopped: the input ended before every question was answered. Answer the questions, or pass the values as flags with --yes.',
    );
    expect(out).not.toContain('internal error');
    expect(r.status).toBe(2);
    expect(fs.existsSync(path.join(dir, 'envs', 'half.yaml'))).toBe(false);
  });
});
