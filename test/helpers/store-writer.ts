import { ConsentRecords } from '../../subgraphs/consent/consent-store.ts';
import { openPglite } from '../../subgraphs/consent/db.ts';
import { migrate } from '../../subgraphs/consent/migrate.ts';
import { PeopleStore } from '../../subgraphs/consent/people-store.ts';

/**
 * Child process for the durability test: grants, revokes and writes audit batches to a
 * PGlite store as fast as it can, printing a line for each write once it is acknowledged,
 * until it is killed.
 */
const dir = process.argv[2] as string;
const db = await openPglite(dir);
await migrate(db);
const people = new PeopleStore(db);
const records = new ConsentRecords(db);
await people.enrollPerson({ id: 'p-dur', subject: 's-dur', nationalId: 'n-dur' });
const terms = { scope: 'patient-privacy' as const, actor: 'Practitioner/pr-1', resourceTypes: ['Observation'], hospitals: ['h'], periodStart: undefined, periodEnd: undefined };
for (let i = 0; ; i++) {
  const consent = await records.create('p-dur', terms);
  process.stdout.write(`granted ${consent.id}\n`);
  if (i % 2 === 0) {
    await records.revoke('p-dur', consent.id);
    process.stdout.write(`revoked ${consent.id}\n`);
  }
  const batch = `batch-${i}`;
  await records.audit([1, 2, 3].map((n) => ({
    recorded: new Date(), personId: 'p-dur', agent: 'Practitioner/pr-1', agentSubject: 's', clientId: 'portal', purpose: 'treatment' as const,
    outcome: '0' as const, outcomeDesc: batch, hospitalId: `h${n}`, resourceTypes: ['Observation'],
  })));
  process.stdout.write(`audited ${batch}\n`);
}
