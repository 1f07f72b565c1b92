import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsentRecords } from './consent-store.ts';
import { openPglite } from './db.ts';
import { migrate } from './migrate.ts';
import { PeopleStore } from './people-store.ts';

/** The consent and audit store loses nothing acknowledged and keeps nothing half-written. */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'consent-durability-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('consent store durability', () => {
  it('survives kill -9 in the middle of grant, revoke and audit writes', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/store-writer.ts', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: string[] = [];
    let buffer = '';
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      acked.push(...lines);
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => acked.length >= 60 && (clearInterval(timer), resolve()), 20);
      setTimeout(() => reject(new Error(`writer made only ${acked.length} writes`)), 40_000);
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    console.log(`killed after ${acked.length} acknowledged writes`);

    const db = await openPglite(dir);
    try {
      await migrate(db);
      const consents = new Map((await new ConsentRecords(db).ofPerson('p-dur')).map((c) => [c.id, c]));
      for (const line of acked) {
        const [what, id] = line.split(' ') as [string, string];
        if (what === 'granted') expect(consents.get(id), line).toBeDefined();
        if (what === 'revoked') expect(consents.get(id)?.status, line).toBe('inactive');
      }
      // Every consent is whole: a row, with its terms.
      for (const c of consents.values()) expect(c).toMatchObject({ scope: 'patient-privacy', actor: 'Practitioner/pr-1', resourceTypes: ['Observation'], hospitals: ['h'] });
      // Audit batches are all or nothing, and every acknowledged one is all there.
      const { rows } = await db.query<{ batch: string; n: number }>("SELECT outcome_desc AS batch, count(*)::int AS n FROM audit_event WHERE person_id = 'p-dur' GROUP BY outcome_desc");
      for (const r of rows) expect(r.n, r.batch).toBe(3);
      const stored = new Set(rows.map((r) => r.batch));
      for (const line of acked.filter((l) => l.startsWith('audited '))) expect(stored.has(line.slice(8)), line).toBe(true);
      expect(await new PeopleStore(db).personBySubject('s-dur')).toBeDefined();
    } finally {
      await db.close();
    }
  });

  it('ends concurrent changes and a revoke of the same consent in one consistent state', async () => {
    const db = await openPglite(path.join(dir, 'concurrent'));
    try {
      await migrate(db);
      const people = new PeopleStore(db);
      const records = new ConsentRecords(db);
      await people.enrollPerson({ id: 'p-c', subject: 's-c', nationalId: 'n-c' });
      const base = { scope: 'patient-privacy' as const, actor: 'Practitioner/pr-1', hospitals: ['h'], periodStart: undefined, periodEnd: undefined };
      const consent = await records.create('p-c', { ...base, resourceTypes: ['Observation'] });
      const variants = [['Condition'], ['Patient'], ['Observation', 'Condition'], ['Immunization']];
      await Promise.all([
        ...variants.map((t) => records.update('p-c', consent.id, { ...base, resourceTypes: t })),
        records.revoke('p-c', consent.id),
        ...variants.map((t) => records.update('p-c', consent.id, { ...base, resourceTypes: t })),
      ]);
      const [final] = await records.ofPerson('p-c');
      expect(final!.status).toBe('inactive');
      expect(variants.map((v) => v.join())).toContain(final!.resourceTypes.join());
    } finally {
      await db.close();
    }
  });

  it('writes the access log of concurrent requests in a few statements, each request whole, and fails them all when the statement fails', async () => {
    const db = await openPglite(path.join(dir, 'group-commit'));
    try {
      await migrate(db);
      await new PeopleStore(db).enrollPerson({ id: 'p-g', subject: 's-g', nationalId: 'n-g' });
      let statements = 0;
      let failNext = false;
      const counting = {
        ...db,
        query: <T>(sql: string, params?: unknown[]) => {
          if (sql.startsWith('INSERT INTO audit_event')) {
            statements++;
            if (failNext) return Promise.reject(new Error('store unavailable'));
          }
          return db.query<T>(sql, params);
        },
      };
      const records = new ConsentRecords(counting);
      const event = (batch: string, hospitalId: string) => ({
        recorded: new Date(), personId: 'p-g', agent: 'Practitioner/pr-1', agentSubject: 's', clientId: 'portal', purpose: 'treatment' as const,
        outcome: '0' as const, outcomeDesc: batch, hospitalId, resourceTypes: ['Observation'],
      });
      await Promise.all(Array.from({ length: 20 }, (_, i) => records.audit([event(`r${i}`, 'h1'), event(`r${i}`, 'h2'), event(`r${i}`, 'h3')])));
      // Calls made in the same turn of the event loop (requests that arrived together) share one statement.
      expect(statements).toBe(1);
      const { rows } = await db.query<{ batch: string; n: number }>("SELECT outcome_desc AS batch, count(*)::int AS n FROM audit_event WHERE person_id = 'p-g' GROUP BY outcome_desc");
      expect(rows).toHaveLength(20);
      for (const r of rows) expect(r.n, r.batch).toBe(3);

      failNext = true;
      const outcomes = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => records.audit([event(`f${i}`, 'h1')])));
      expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
      const after = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_event WHERE person_id = 'p-g'");
      expect(after.rows[0]!.n).toBe(60);
      // The store recovers: the next request is written.
      failNext = false;
      await records.audit([event('later', 'h1')]);
      expect((await db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_event WHERE person_id = 'p-g'")).rows[0]!.n).toBe(61);
    } finally {
      await db.close();
    }
  });
});
