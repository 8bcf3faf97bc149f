import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../model';
import { prepareEnvironments, renderArtifacts, synthesizeApp } from '../../pipeline';
import { OWNER_FILE } from '../../pipeline/output-owner';
import { smallSpecYaml } from '../fixtures/specs';
import { recordingLog } from '../support/pipeline';
import { scratchDir } from '../support/tools';

// The small fixture has check errors on purpose (no backup, ...); ownership is about writing.
const prepared = (sources: string[]) =>
  prepareEnvironments(sources, { checks: 'skip', skipSwitch: '--no-checks', refusal: 'nothing was written', log: recordingLog() });

/** Every file under `dir`, relative and sorted. */
function files(dir: string): string[] {
  return fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort() : [];
}

describe('output directories are owned by one environment source', () => {
  const { dir, cleanup } = scratchDir('pvestack-owner-');
  afterAll(cleanup);
  const out = path.join(dir, 'out');

  it('removes the artifacts of a renamed guest when synthesizing again', () => {
    const spec = path.join(dir, 'small.yaml');
    fs.writeFileSync(spec, smallSpecYaml());
    synthesizeApp(prepared([spec]), { outdir: out });
    const artifacts = path.join(out, 'stacks', 'small', 'artifacts');
    expect(files(artifacts)).toContain(path.join('db', 'postgres', 'compose.yaml'));

    fs.writeFileSync(spec, smallSpecYaml().replace('  - name: db\n', '  - name: pg\n').replace('to: db,', 'to: pg,'));
    synthesizeApp(prepared([spec]), { outdir: out });
    expect(files(artifacts)).toContain(path.join('pg', 'postgres', 'compose.yaml'));
    expect(files(artifacts).filter((f) => f.startsWith(`db${path.sep}`))).toEqual([]);
    expect(fs.readFileSync(path.join(out, 'stacks', 'small', 'cdk.tf.json'), 'utf8')).not.toMatch(/"db"/);
  });

  it('accepts the same spec again from another working directory', () => {
    const spec = path.join(dir, 'small.yaml');
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      expect(() => synthesizeApp(prepared(['small.yaml']), { outdir: 'out' })).not.toThrow();
    } finally {
      process.chdir(cwd);
    }
    expect(() => synthesizeApp(prepared([spec]), { outdir: out })).not.toThrow();
  });

  it('refuses a spec file whose name is a registered environment, and leaves that output alone', () => {
    synthesizeApp(prepared(['dev']), { outdir: out });
    const devJson = path.join(out, 'stacks', 'dev', 'cdk.tf.json');
    const before = fs.readFileSync(devJson, 'utf8');
    const artifactsBefore = files(path.join(out, 'stacks', 'dev', 'artifacts'));
    const copy = path.join(dir, 'my-dev.yaml');
    fs.writeFileSync(copy, smallSpecYaml().replace('name: small\n', 'name: dev\n'));

    let error: unknown;
    try {
      synthesizeApp(prepared([copy]), { outdir: out });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(
      `${path.relative(process.cwd(), path.join(out, 'stacks', 'dev'))} holds environment "dev" synthesized from stacks/dev.ts; ${copy} also names its environment "dev" and would overwrite it. ` +
        `Give ${copy} its own name:, or write it elsewhere with --out <dir>; delete that directory only if stacks/dev.ts is gone for good`,
    );
    expect(fs.readFileSync(devJson, 'utf8')).toBe(before);
    expect(files(path.join(out, 'stacks', 'dev', 'artifacts'))).toEqual(artifactsBefore);
    // render writes into the same directory, so it asks the same question.
    expect(() => renderArtifacts(prepared([copy]), out)).toThrow(/holds environment "dev" synthesized from stacks\/dev\.ts/);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'stacks', 'dev', OWNER_FILE), 'utf8'))).toEqual({
      environment: 'dev',
      owner: 'registered:dev',
      source: 'stacks/dev.ts',
    });
  });

  it('refuses two sources with one name in a single run, before writing anything', () => {
    const fresh = path.join(dir, 'fresh-out');
    const copy = path.join(dir, 'my-dev.yaml');
    expect(() => synthesizeApp(prepared(['dev', copy]), { outdir: fresh })).toThrow(`stacks/dev.ts and ${copy} both name their environment "dev"`);
    expect(files(fresh)).toEqual([]);
  });
});
