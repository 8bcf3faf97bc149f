import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { gpusOf, PostgresStackSpec } from '../../../model';
import { environmentNames, loadEnvironment } from '../../../stacks/registry';
import { DEFAULT_EXTENSIONS } from '../../../templates/postgres/init-sql';
import { pgtune } from '../../../templates/postgres/pgtune';
import { postgresStack, postgresTuneInput } from '../../../templates/stacks/postgres';
import { describeWithTools, freePort, run, scratchDir } from '../../support/tools';

const PGBIN = '/usr/lib/postgresql/15/bin';
/** This machine cannot give 16 GB of shared buffers to a test: guests are scaled down to this. */
const TEST_RAM_GIB = 2;
const PASSWORD = 'test-only-superuser-password';

interface Case {
  readonly id: string;
  readonly conf: string;
  readonly hba: string;
  readonly initSql: string;
  readonly expected: { name: string; value: string }[];
}

/** Every postgres stack of every registered environment, rendered for a scaled-down guest (deduplicated). */
function cases(): Case[] {
  const out = new Map<string, Case>();
  for (const name of environmentNames()) {
    const env = loadEnvironment(name);
    for (const real of env.guests) {
      const guest = { ...real, memoryGib: Math.min(real.memoryGib, TEST_RAM_GIB) };
      guest.stacks.forEach((stack, i) => {
        if (stack.kind !== 'postgres') return;
        const ctx = { env, guest, gpus: gpusOf(env, guest), options: {} };
        const parts = postgresStack(ctx, stack as PostgresStackSpec);
        const file = (p: string) => parts.files.find((f) => f.path === p)!.content;
        const c = {
          id: `${name}/${guest.name}/${i}`,
          conf: file('postgresql.conf'),
          hba: file('pg_hba.conf'),
          initSql: file('initdb/10-extensions.sql'),
          expected: pgtune(postgresTuneInput(ctx, stack as PostgresStackSpec)),
        };
        if (![...out.values()].some((o) => o.conf === c.conf && o.hba === c.hba)) out.set(c.id, c);
      });
    }
  }
  return [...out.values()];
}

/** Memory settings in bytes (PostgreSQL rounds block-sized ones down to 8 kB pages). */
function bytes(value: string): number | undefined {
  const m = /^(\d+)(kB|MB|GB)$/.exec(value);
  return m ? Number(m[1]) * { kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[m[2] as 'kB' | 'MB' | 'GB'] : undefined;
}

describeWithTools(
  'rendered postgresql.conf + pg_hba.conf start PostgreSQL 15',
  [`${PGBIN}/initdb`, `${PGBIN}/pg_ctl`, 'psql', 'runuser'],
  () => {
    const scratch = scratchDir('pgt-');
    const data = path.join(scratch.dir, 'data');
    const sock = path.join(scratch.dir, 'sock');
    let port = 0;
    const asPostgres = (cmd: string, args: string[]) => spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' });
    const psql = (sql: string) =>
      run('psql', ['-h', sock, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-Atc', sql], { env: { ...process.env, PGPASSWORD: PASSWORD } }).trim();
    const pgCtl = (...args: string[]) => asPostgres(`${PGBIN}/pg_ctl`, ['-D', data, '-l', path.join(scratch.dir, 'server.log'), '-w', '-t', '60', ...args]);

    beforeAll(async () => {
      port = await freePort();
      fs.mkdirSync(sock);
      fs.writeFileSync(path.join(scratch.dir, 'pw'), PASSWORD);
      run('chown', ['-R', 'postgres', scratch.dir]);
      const init = asPostgres(`${PGBIN}/initdb`, [
        '-D',
        data,
        '--auth=trust',
        '-U',
        'postgres',
        `--pwfile=${path.join(scratch.dir, 'pw')}`,
        '-E',
        'UTF8',
        '--locale=C.UTF-8',
      ]);
      expect(init.status, init.stderr).toBe(0);
      fs.appendFileSync(path.join(data, 'postgresql.conf'), `\ninclude = '${path.join(scratch.dir, 'active.conf')}'\n`);
    });
    afterAll(() => {
      pgCtl('stop', '-m', 'immediate');
      scratch.cleanup();
    });

    const all = cases();
    it('finds postgres stacks to test', () => expect(all.length).toBeGreaterThanOrEqual(3));

    it.each(all)('$id', (c) => {
      const dir = path.join(scratch.dir, c.id.replace(/\W/g, '_'));
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'postgresql.conf'), c.conf);
      fs.writeFileSync(path.join(dir, 'pg_hba.conf'), c.hba);
      // The rendered file exactly; then only what differs between a container and this test.
      fs.writeFileSync(
        path.join(scratch.dir, 'active.conf'),
        [
          `include = '${path.join(dir, 'postgresql.conf')}'`,
          `hba_file = '${path.join(dir, 'pg_hba.conf')}'`,
          `port = ${port}`,
          `unix_socket_directories = '${sock}'`,
          "listen_addresses = '127.0.0.1'",
          '',
        ].join('\n'),
      );
      run('chown', ['-R', 'postgres', scratch.dir]);
      pgCtl('stop', '-m', 'fast'); // fails harmlessly before the first start
      const started = pgCtl('start');
      const log = path.join(scratch.dir, 'server.log');
      expect(started.status, `${started.stderr}\n${fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-2000) : ''}`).toBe(0);
      // One query for every setting: current_setting() shows what SHOW shows.
      const names = c.expected.map((e) => `'${e.name}'`).join(',');
      const shownAll = new Map(
        psql(`SELECT n || '=' || current_setting(n) FROM unnest(ARRAY[${names}]) AS n`)
          .split('\n')
          .map((l) => l.split('=') as [string, string]),
      );
      for (const { name, value } of c.expected) {
        const shown = shownAll.get(name)!;
        const want = bytes(value);
        if (want !== undefined && name !== 'max_connections') expect(Math.abs(bytes(shown)! - want), `${name}: ${shown} vs ${value}`).toBeLessThan(8192);
        else expect(shown, name).toBe(value);
      }
      expect(psql('SHOW shared_preload_libraries')).toBe('pg_stat_statements');
      expect(psql('SHOW password_encryption')).toBe('scram-sha-256');
      expect(psql('SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL')).toBe('0');
    });

    it('runs the init SQL (pgvector itself is not packaged for Debian 12: checked by name only)', () => {
      const sql = all[0]!.initSql;
      expect(sql).toContain('CREATE EXTENSION IF NOT EXISTS vector;');
      const withoutVector = sql
        .split('\n')
        .filter((l) => !/\bvector\b/.test(l))
        .join('\n');
      psql(withoutVector);
      const installed = psql('SELECT extname FROM pg_extension ORDER BY 1').split('\n');
      expect(installed).toEqual(expect.arrayContaining(DEFAULT_EXTENSIONS.filter((e) => e !== 'vector')));
      // Preloaded, so the view works.
      expect(Number(psql('SELECT count(*) >= 0 FROM pg_stat_statements') === 't')).toBe(1);
    });

    it('refuses to start with a broken setting (the check is real)', () => {
      fs.appendFileSync(path.join(scratch.dir, 'active.conf'), 'shared_buffers = 128XB\n');
      run('chown', ['-R', 'postgres', scratch.dir]);
      pgCtl('stop', '-m', 'fast');
      expect(pgCtl('start').status).not.toBe(0);
    });
  },
  { root: true },
);
