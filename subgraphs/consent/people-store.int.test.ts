import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, openPostgres, type Db } from './db.ts';
import { migrate } from './migrate.ts';
import { PeopleStore } from './people-store.ts';

/**
 * The same store on both databases it supports: embedded PGlite and PostgreSQL
 * (the local server; the test creates and drops its own database).
 */
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const alice = { id: 'p-alice', subject: 'sub-alice', nationalId: '900-11-2233' };

let pgliteDir: string;
let pgDatabase: string;

beforeAll(async () => {
  pgliteDir = await mkdtemp(path.join(tmpdir(), 'consent-store-'));
  pgDatabase = `consent_test_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${pgDatabase}`);
  await admin.end();
});

afterAll(async () => {
  await rm(pgliteDir, { recursive: true, force: true });
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${pgDatabase} WITH (FORCE)`);
  await admin.end();
});

const backends: [string, () => Promise<Db>][] = [
  ['PGlite', () => openPglite(pgliteDir)],
  ['PostgreSQL', () => openPostgres(ADMIN_URL.replace(/\/postgres$/, `/${pgDatabase}`))],
];

describe.each(backends)('consent store on %s', (_name, open) => {
  it('migrates once, and again is a no-op', async () => {
    const db = await open();
    try {
      expect(await migrate(db)).toEqual(['001_people_and_links', '002_consents_and_audit']);
      expect(await migrate(db)).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('keeps people and links across a restart', async () => {
    let db = await open();
    const checkedAt = new Date('2026-01-02T03:04:05Z');
    try {
      const store = new PeopleStore(db);
      await store.enrollPerson(alice);
      await store.enrollPerson(alice); // idempotent
      await store.saveLink(alice.id, { hospitalId: 'north', patientId: 'n-1', checkedAt });
      await store.saveLink(alice.id, { hospitalId: 'south', patientId: undefined, checkedAt });
    } finally {
      await db.close();
    }
    db = await open();
    try {
      const store = new PeopleStore(db);
      expect(await store.personBySubject('sub-alice')).toEqual(alice);
      expect(await store.personBySubject('sub-nobody')).toBeUndefined();
      const links = (await store.links(alice.id)).sort((a, b) => a.hospitalId.localeCompare(b.hospitalId));
      expect(links).toEqual([
        { hospitalId: 'north', patientId: 'n-1', checkedAt },
        { hospitalId: 'south', patientId: undefined, checkedAt },
      ]);
    } finally {
      await db.close();
    }
  });

  it('refuses a second account with the same national id', async () => {
    const db = await open();
    try {
      await expect(new PeopleStore(db).enrollPerson({ id: 'p-other', subject: 'sub-other', nationalId: alice.nationalId })).rejects.toThrow();
    } finally {
      await db.close();
    }
  });
});
