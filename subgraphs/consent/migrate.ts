import { readdir, readFile } from 'node:fs/promises';
import type { Db } from './db.ts';

const dir = new URL('./migrations/', import.meta.url);

/**
 * Applies the numbered SQL files in migrations/ that are not yet applied, each in its
 * own transaction with its bookkeeping row, so a crash leaves either all or none of it.
 */
export async function migrate(db: Db): Promise<string[]> {
  await db.exec('CREATE TABLE IF NOT EXISTS schema_migration (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
  const applied = new Set((await db.query<{ version: string }>('SELECT version FROM schema_migration')).rows.map((r) => r.version));
  const files = (await readdir(dir)).filter((f) => /^\d{3}_.*\.sql$/.test(f)).sort();
  const done: string[] = [];
  for (const file of files) {
    const version = file.replace(/\.sql$/, '');
    if (applied.has(version)) continue;
    const sql = await readFile(new URL(file, dir), 'utf8');
    await db.transaction(async (tx) => {
      for (const statement of splitStatements(sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migration (version) VALUES ($1)', [version]);
    });
    done.push(version);
  }
  return done;
}

/** Migrations are plain DDL: statements end at `;` at the end of a line; `--` comments are dropped. */
function splitStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter(Boolean);
}
