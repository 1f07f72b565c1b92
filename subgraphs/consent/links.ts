import type { Patient } from 'fhir/r4.js';
import type { HospitalConfig } from '../../lib/config.ts';
import { FhirError, type FhirClient } from '../../lib/fhir/client.ts';
import type { Logger } from '../../lib/log.ts';
import type { PeopleStore, PatientLink, PersonRecord } from './people-store.ts';

/** How long "this hospital does not know the person" is believed before asking again. */
const NOT_FOUND_TTL_MS = 60 * 60 * 1000;

export interface LinkedHospital {
  readonly hospital: HospitalConfig;
  readonly fhir: FhirClient;
}

/**
 * Finds and remembers which Patient a person is at each hospital, by the shared
 * identifier. Found links are kept; hospitals that did not know the person are asked
 * again after a while; a hospital that is down is skipped this time, not recorded.
 * A search that matches more than one Patient links nothing: never guess whose records.
 */
export class LinkResolver {
  constructor(
    private readonly store: PeopleStore,
    private readonly hospitals: readonly LinkedHospital[],
    private readonly log: Logger,
  ) {}

  /** Links of the person, in hospitals-config order, for the hospitals that know them. */
  async resolve(person: PersonRecord, now = new Date()): Promise<{ hospital: HospitalConfig; patientId: string }[]> {
    const known = new Map((await this.store.links(person.id)).map((l) => [l.hospitalId, l]));
    const results = await Promise.all(
      this.hospitals.map(async ({ hospital, fhir }) => {
        let link = known.get(hospital.id);
        const stale = !link || (!link.patientId && now.getTime() - link.checkedAt.getTime() > NOT_FOUND_TTL_MS);
        if (stale) link = await this.discover(person, hospital, fhir, now);
        return link?.patientId ? { hospital, patientId: link.patientId } : undefined;
      }),
    );
    return results.filter((r) => r !== undefined);
  }

  private async discover(person: PersonRecord, hospital: HospitalConfig, fhir: FhirClient, now: Date): Promise<PatientLink | undefined> {
    let matches: Patient[];
    try {
      matches = await fhir.searchAll<Patient>({ resourceType: 'Patient', filters: [{ code: 'identifier', value: `${hospital.identifierSystem}|${person.nationalId}` }], count: 2 }, 2);
    } catch (err) {
      if (!(err instanceof FhirError)) throw err;
      this.log.warn('patient lookup failed', { hospital: hospital.id, status: err.status, timeout: err.timeout });
      return undefined;
    }
    // The server's answer is checked, not trusted: the identifier must really be there.
    const real = matches.filter((p) => p.resourceType === 'Patient' && p.id && p.identifier?.some((i) => i.system === hospital.identifierSystem && i.value === person.nationalId));
    if (real.length > 1) {
      this.log.warn('patient lookup is ambiguous; not linked', { hospital: hospital.id, matches: real.length });
      return undefined;
    }
    const link: PatientLink = { hospitalId: hospital.id, patientId: real[0]?.id, checkedAt: now };
    await this.store.saveLink(person.id, link);
    return link;
  }
}
