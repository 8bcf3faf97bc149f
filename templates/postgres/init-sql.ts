/**
 * SQL run once by the image's entrypoint on an empty data directory, in the application database.
 * pgvector's extension is named `vector` (`CREATE EXTENSION pgvector` fails).
 */
export const DEFAULT_EXTENSIONS = ['vector', 'pg_trgm', 'uuid-ossp', 'pg_stat_statements'] as const;

function ident(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

export function renderInitSql(extensions: readonly string[]): string {
  return (
    ['-- Rendered by pvestack: extensions of the application database.', ...extensions.map((e) => `CREATE EXTENSION IF NOT EXISTS ${ident(e)};`)].join('\n') +
    '\n'
  );
}
