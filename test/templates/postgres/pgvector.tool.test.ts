/**
 * Real PostgreSQL with pgvector: Debian 12 does not package pgvector, so the rendered init SQL is
 * run in PGlite (PostgreSQL 17 compiled to WASM, shipping pgvector 0.8 and the contrib modules).
 * It proves the extension names the renderer emits are the ones PostgreSQL knows (`vector`, not
 * `pgvector`) and that the vector type works for a similarity query.
 */
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { uuid_ossp } from '@electric-sql/pglite/contrib/uuid_ossp';
import { vector } from '@electric-sql/pglite/vector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnvironment } from '../../../stacks/registry';
import { renderGuest } from '../../../templates/render';

function initSqlOf(envName: string, guestName: string): string {
  const env = loadEnvironment(envName);
  const stack = renderGuest(
    env,
    env.guests.find((g) => g.name === guestName)!,
  ).find((s) => s.name === 'postgres')!;
  const file = stack.files.find((f) => f.path.endsWith('.sql'));
  if (!file) throw new Error(`no init SQL rendered for ${envName}/${guestName}`);
  return file.content;
}

describe('rendered init SQL on a real PostgreSQL with pgvector (PGlite)', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await PGlite.create({ extensions: { vector, pg_trgm, uuid_ossp } });
  }, 120_000);
  afterAll(async () => db?.close());

  it("creates production's extensions (pg_stat_statements needs shared_preload_libraries, which PGlite cannot load)", async () => {
    const sql = initSqlOf('production', 'db');
    expect(sql).toContain('CREATE EXTENSION IF NOT EXISTS vector;');
    const runnable = sql
      .split('\n')
      .filter((line) => !line.includes('pg_stat_statements'))
      .join('\n');
    await db.exec(runnable);
    const { rows } = await db.query<{ extname: string }>('SELECT extname FROM pg_extension ORDER BY extname');
    expect(rows.map((r) => r.extname)).toEqual(expect.arrayContaining(['pg_trgm', 'uuid-ossp', 'vector']));
  });

  it('the vector type answers a nearest-neighbour query', async () => {
    await db.exec(`
      CREATE TABLE docs (id uuid PRIMARY KEY DEFAULT uuid_generate_v4(), title text, embedding vector(3));
      INSERT INTO docs (title, embedding) VALUES ('a', '[1,0,0]'), ('b', '[0,1,0]'), ('c', '[0.9,0.1,0]');
    `);
    const { rows } = await db.query<{ title: string }>("SELECT title FROM docs ORDER BY embedding <-> '[1,0,0]' LIMIT 2");
    expect(rows.map((r) => r.title)).toEqual(['a', 'c']);
  });

  it('the name pgvector is wrong, so the renderer must never emit it', async () => {
    await expect(db.exec('CREATE EXTENSION pgvector')).rejects.toThrow(/pgvector/);
    expect(initSqlOf('staging', 'db')).not.toMatch(/EXTENSION\s+(IF NOT EXISTS\s+)?pgvector/);
  });
});
