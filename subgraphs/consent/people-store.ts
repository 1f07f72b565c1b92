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

/** People (portal accounts) and their links to each hospital's Patient. */
export class PeopleStore {
  constructor(private readonly db: Db) {}

  /** Registers a portal account; idempotent for the same person. */
  async enrollPerson(person: PersonRecord): Promise<void> {
    await this.db.query(
      'INSERT INTO person (id, subject, national_id) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
      [person.id, person.subject, person.nationalId],
    );
  }

  async personById(id: string): Promise<PersonRecord | undefined> {
    const { rows } = await this.db.query<{ id: string; subject: string; national_id: string }>('SELECT id, subject, national_id FROM person WHERE id = $1', [id]);
    const row = rows[0];
    return row && { id: row.id, subject: row.subject, nationalId: row.national_id };
  }

  async personBySubject(subject: string): Promise<PersonRecord | undefined> {
    const { rows } = await this.db.query<{ id: string; subject: string; national_id: string }>('SELECT id, subject, national_id FROM person WHERE subject = $1', [subject]);
    const row = rows[0];
    return row && { id: row.id, subject: row.subject, nationalId: row.national_id };
  }

  async links(personId: string): Promise<PatientLink[]> {
    const { rows } = await this.db.query<{ hospital_id: string; patient_id: string | null; checked_at: Date | string }>(
      'SELECT hospital_id, patient_id, checked_at FROM patient_link WHERE person_id = $1',
      [personId],
    );
    return rows.map((r) => ({ hospitalId: r.hospital_id, patientId: r.patient_id ?? undefined, checkedAt: new Date(r.checked_at) }));
  }

  async saveLink(personId: string, link: PatientLink): Promise<void> {
    await this.db.query(
      `INSERT INTO patient_link (person_id, hospital_id, patient_id, checked_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (person_id, hospital_id) DO UPDATE SET patient_id = excluded.patient_id, checked_at = excluded.checked_at`,
      [personId, link.hospitalId, link.patientId ?? null, link.checkedAt.toISOString()],
    );
  }
}
