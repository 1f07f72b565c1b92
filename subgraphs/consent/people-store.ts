import { LRUCache } from 'lru-cache';
import type { Db } from './db.ts';

export interface PersonRecord {
  readonly id: string;
  readonly subject: string;
  readonly nationalId: string;
}

export interface PatientLink {
  readonly hospitalId: string;
  /** Undefined when the hospital was asked and does not know the person. */
  readonly patientId: string | undefined;
  readonly checkedAt: Date;
}

/**
 * People (portal accounts) and their links to each hospital's Patient.
 * Every chart request reads the caller's person and links; both change rarely (an account
 * never changes its subject or national id, a link is found once), so they are remembered
 * in memory for a short while instead of read from the database each time. A link this
 * process saves replaces the remembered ones at once; another replica's is seen within
 * `LINKS_TTL_MS`.
 */
const LINKS_TTL_MS = 60_000;

export class PeopleStore {
  private readonly people = new LRUCache<string, PersonRecord>({ max: 20_000, ttl: 10 * 60_000 });
  private readonly linksOf = new LRUCache<string, PatientLink[]>({ max: 20_000, ttl: LINKS_TTL_MS });

  constructor(private readonly db: Db) {}

  /** Registers a portal account; idempotent for the same person. */
  async enrollPerson(person: PersonRecord): Promise<void> {
    await this.db.query(
      'INSERT INTO person (id, subject, national_id) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
      [person.id, person.subject, person.nationalId],
    );
  }

  async personById(id: string): Promise<PersonRecord | undefined> {
    const known = this.people.get(`id ${id}`);
    if (known) return known;
    const { rows } = await this.db.query<{ id: string; subject: string; national_id: string }>('SELECT id, subject, national_id FROM person WHERE id = $1', [id]);
    return this.remember(rows[0]);
  }

  async personBySubject(subject: string): Promise<PersonRecord | undefined> {
    const known = this.people.get(`sub ${subject}`);
    if (known) return known;
    const { rows } = await this.db.query<{ id: string; subject: string; national_id: string }>('SELECT id, subject, national_id FROM person WHERE subject = $1', [subject]);
    return this.remember(rows[0]);
  }

  /** Only people found are remembered: one enrolled a moment later is seen at once. */
  private remember(row: { id: string; subject: string; national_id: string } | undefined): PersonRecord | undefined {
    if (!row) return undefined;
    const person: PersonRecord = { id: row.id, subject: row.subject, nationalId: row.national_id };
    this.people.set(`id ${person.id}`, person);
    this.people.set(`sub ${person.subject}`, person);
    return person;
  }

  async links(personId: string): Promise<PatientLink[]> {
    const known = this.linksOf.get(personId);
    if (known) return known;
    const { rows } = await this.db.query<{ hospital_id: string; patient_id: string | null; checked_at: Date | string }>(
      'SELECT hospital_id, patient_id, checked_at FROM patient_link WHERE person_id = $1',
      [personId],
    );
    const links = rows.map((r) => ({ hospitalId: r.hospital_id, patientId: r.patient_id ?? undefined, checkedAt: new Date(r.checked_at) }));
    this.linksOf.set(personId, links);
    return links;
  }

  async saveLink(personId: string, link: PatientLink): Promise<void> {
    await this.db.query(
      `INSERT INTO patient_link (person_id, hospital_id, patient_id, checked_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (person_id, hospital_id) DO UPDATE SET patient_id = excluded.patient_id, checked_at = excluded.checked_at`,
      [personId, link.hospitalId, link.patientId ?? null, link.checkedAt.toISOString()],
    );
    this.linksOf.delete(personId);
  }
}
