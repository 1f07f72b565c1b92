import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from './db.ts';

export type ConsentScopeCode = 'patient-privacy' | 'research';

export interface ConsentRecord {
  readonly id: string;
  readonly personId: string;
  readonly status: 'active' | 'inactive';
  readonly scope: ConsentScopeCode;
  readonly actor: string | undefined;
  readonly resourceTypes: readonly string[];
  readonly hospitals: readonly string[];
  readonly periodStart: string | undefined;
  readonly periodEnd: string | undefined;
  readonly dateTime: Date;
}

export type ConsentTerms = Pick<ConsentRecord, 'scope' | 'actor' | 'resourceTypes' | 'hospitals' | 'periodStart' | 'periodEnd'>;

export type AuditPurpose = 'patient-access' | 'treatment' | 'research';

export interface AuditRecord {
  readonly id: string;
  readonly recorded: Date;
  readonly personId: string;
  readonly agent: string;
  readonly agentSubject: string;
  readonly clientId: string | undefined;
  readonly purpose: AuditPurpose;
  readonly outcome: '0' | '4';
  readonly outcomeDesc: string | undefined;
  readonly hospitalId: string | undefined;
  readonly resourceTypes: readonly string[];
}

interface ConsentRow {
  id: string;
  person_id: string;
  status: 'active' | 'inactive';
  scope: ConsentScopeCode;
  actor: string | null;
  resource_types: string[];
  hospitals: string[];
  period_start: string | null;
  period_end: string | null;
  date_time: Date | string;
}

// Dates are read as text: drivers turn SQL `date` into a local-midnight Date otherwise.
const CONSENT_COLUMNS = `id, person_id, status, scope, actor, resource_types, hospitals,
  period_start::text AS period_start, period_end::text AS period_end, date_time`;

function toConsent(r: ConsentRow): ConsentRecord {
  return {
    id: r.id,
    personId: r.person_id,
    status: r.status,
    scope: r.scope,
    actor: r.actor ?? undefined,
    resourceTypes: r.resource_types,
    hospitals: r.hospitals,
    periodStart: r.period_start ?? undefined,
    periodEnd: r.period_end ?? undefined,
    dateTime: new Date(r.date_time),
  };
}

const AUDIT_COLUMNS = 11;
/** Rows per INSERT: PostgreSQL takes at most 65,535 parameters per statement. */
const MAX_AUDIT_ROWS = Math.floor(65_535 / AUDIT_COLUMNS);

/** Consents and the access log. Every write is one statement or one transaction. */
export class ConsentRecords {
  constructor(private readonly db: Db) {}

  async create(personId: string, terms: ConsentTerms, now = new Date()): Promise<ConsentRecord> {
    const { rows } = await this.db.query<ConsentRow>(
      `INSERT INTO consent (id, person_id, status, scope, actor, resource_types, hospitals, period_start, period_end, date_time)
       VALUES ($1, $2, 'active', $3, $4, $5, $6, $7, $8, $9) RETURNING ${CONSENT_COLUMNS}`,
      [randomUUID(), personId, terms.scope, terms.actor ?? null, [...terms.resourceTypes], [...terms.hospitals], terms.periodStart ?? null, terms.periodEnd ?? null, now.toISOString()],
    );
    return toConsent(rows[0] as ConsentRow);
  }

  /** Changes the terms of one of the person's consents; undefined when they have no such consent. */
  async update(personId: string, id: string, terms: ConsentTerms, now = new Date()): Promise<ConsentRecord | undefined> {
    const { rows } = await this.db.query<ConsentRow>(
      `UPDATE consent SET scope = $3, actor = $4, resource_types = $5, hospitals = $6, period_start = $7, period_end = $8, date_time = $9
       WHERE id = $1 AND person_id = $2 RETURNING ${CONSENT_COLUMNS}`,
      [id, personId, terms.scope, terms.actor ?? null, [...terms.resourceTypes], [...terms.hospitals], terms.periodStart ?? null, terms.periodEnd ?? null, now.toISOString()],
    );
    return rows[0] && toConsent(rows[0]);
  }

  /** Revokes one of the person's consents (idempotent); undefined when they have no such consent. */
  async revoke(personId: string, id: string, now = new Date()): Promise<ConsentRecord | undefined> {
    const { rows } = await this.db.query<ConsentRow>(
      `UPDATE consent SET status = 'inactive', date_time = CASE WHEN status = 'active' THEN $3::timestamptz ELSE date_time END
       WHERE id = $1 AND person_id = $2 RETURNING ${CONSENT_COLUMNS}`,
      [id, personId, now.toISOString()],
    );
    return rows[0] && toConsent(rows[0]);
  }

  async ofPerson(personId: string): Promise<ConsentRecord[]> {
    const { rows } = await this.db.query<ConsentRow>(`SELECT ${CONSENT_COLUMNS} FROM consent WHERE person_id = $1 ORDER BY date_time DESC, id`, [personId]);
    return rows.map(toConsent);
  }

  /** Active sharing consents naming any of the actors (a practitioner and their organization). */
  async activeForActors(actors: readonly string[], personId?: string): Promise<ConsentRecord[]> {
    if (actors.length === 0) return [];
    const { rows } = await this.db.query<ConsentRow>(
      `SELECT ${CONSENT_COLUMNS} FROM consent WHERE status = 'active' AND scope = 'patient-privacy' AND actor = ANY($1::text[])
       AND ($2::text IS NULL OR person_id = $2) ORDER BY person_id, date_time DESC`,
      [[...actors], personId ?? null],
    );
    return rows.map(toConsent);
  }

  async activeResearch(limit: number): Promise<ConsentRecord[]> {
    const { rows } = await this.db.query<ConsentRow>(
      `SELECT ${CONSENT_COLUMNS} FROM consent WHERE status = 'active' AND scope = 'research'
       AND person_id IN (SELECT DISTINCT person_id FROM consent WHERE status = 'active' AND scope = 'research' ORDER BY person_id LIMIT $1)
       ORDER BY person_id, date_time DESC`,
      [limit],
    );
    return rows.map(toConsent);
  }

  /**
   * Writes audit events atomically: when the returned promise resolves they are all
   * durable; when it rejects, none of this call's are, and the caller discloses nothing.
   *
   * Group commit: calls arriving while a write is in flight are written together in the
   * next INSERT (one statement, so each call's events stand or fall together), so a
   * practitioner's list of 20 people or many users at once cost a few round trips, not
   * one each. A failed statement fails every call in it: failures here are the store's
   * (down, full), not one row's, since the rows are built by this service.
   */
  audit(events: readonly Omit<AuditRecord, 'id'>[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.auditQueue.push({ events, resolve, reject });
      // The first waiting call starts the next write after this turn of the event loop, so
      // the requests that arrived with it join: PGlite runs each statement on this thread, so
      // a write started at once left every other request to a statement of its own.
      if (!this.auditWriting) {
        this.auditWriting = true;
        setImmediate(() => void this.writeAuditQueue());
      }
    });
  }

  private readonly auditQueue: { events: readonly Omit<AuditRecord, 'id'>[]; resolve(): void; reject(err: unknown): void }[] = [];
  private auditWriting = false;

  /** Started by `audit` (which has set `auditWriting`); writes until the queue is empty. */
  private async writeAuditQueue(): Promise<void> {
    try {
      while (this.auditQueue.length > 0) {
        // As many waiting calls as fit one statement's parameters (PostgreSQL allows 65,535).
        let rows = 0;
        let take = 0;
        for (const call of this.auditQueue) {
          if (take > 0 && rows + call.events.length > MAX_AUDIT_ROWS) break;
          rows += call.events.length;
          take++;
        }
        const batch = this.auditQueue.splice(0, take);
        try {
          await this.insertAudit(batch.flatMap((c) => c.events));
          for (const c of batch) c.resolve();
        } catch (err) {
          for (const c of batch) c.reject(err);
        }
      }
    } finally {
      this.auditWriting = false;
    }
  }

  private async insertAudit(events: readonly Omit<AuditRecord, 'id'>[]): Promise<void> {
    const params: unknown[] = [];
    const rows = events.map((e) => {
      const at = params.length;
      params.push(randomUUID(), e.recorded.toISOString(), e.personId, e.agent, e.agentSubject, e.clientId ?? null, e.purpose, e.outcome, e.outcomeDesc ?? null, e.hospitalId ?? null, [...e.resourceTypes]);
      return `(${Array.from({ length: AUDIT_COLUMNS }, (_, i) => `$${at + i + 1}`).join(', ')})`;
    });
    await this.db.query(
      `INSERT INTO audit_event (id, recorded, person_id, agent, agent_subject, client_id, purpose, outcome, outcome_desc, hospital_id, resource_types) VALUES ${rows.join(', ')}`,
      params,
    );
  }

  async auditLog(personId: string, limit: number): Promise<AuditRecord[]> {
    const { rows } = await this.db.query<{
      id: string; recorded: Date | string; person_id: string; agent: string; agent_subject: string; client_id: string | null;
      purpose: AuditPurpose; outcome: '0' | '4'; outcome_desc: string | null; hospital_id: string | null; resource_types: string[];
    }>('SELECT * FROM audit_event WHERE person_id = $1 ORDER BY recorded DESC, id LIMIT $2', [personId, limit]);
    return rows.map((r) => ({
      id: r.id,
      recorded: new Date(r.recorded),
      personId: r.person_id,
      agent: r.agent,
      agentSubject: r.agent_subject,
      clientId: r.client_id ?? undefined,
      purpose: r.purpose,
      outcome: r.outcome,
      outcomeDesc: r.outcome_desc ?? undefined,
      hospitalId: r.hospital_id ?? undefined,
      resourceTypes: r.resource_types,
    }));
  }

  /** A secret kept in the database, created on first use (e.g. the pseudonym key). */
  async secret(name: string): Promise<string> {
    await this.db.query('INSERT INTO service_secret (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, randomBytes(32).toString('base64url')]);
    const { rows } = await this.db.query<{ value: string }>('SELECT value FROM service_secret WHERE name = $1', [name]);
    return (rows[0] as { value: string }).value;
  }
}
