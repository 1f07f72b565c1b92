import { createHash } from 'node:crypto';
import type { DemoPerson } from '../sandbox/demo-people.ts';

/**
 * Synthetic people treated at every sandbox hospital, for the practitioner and analytics
 * operations: the portal knows them (enrolled), the hospitals know them by national id.
 * Deterministic, so every run and machine benchmarks the same people.
 */
export function benchCohort(size: number): DemoPerson[] {
  return Array.from({ length: size }, (_, i) => {
    const h = createHash('sha256').update(`bench-person-${i}`).digest('hex');
    const n = String(i).padStart(5, '0');
    return {
      id: `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`,
      username: `bench-${n}`,
      nationalId: `700-00-${n}`,
      family: `Cohort${n}`,
      given: ['Bench'],
      gender: i % 2 === 0 ? 'female' : 'male',
      birthDate: `19${String(40 + (i % 60)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 10}`,
    };
  });
}

/** How many cohort people share one chart each with the practitioner (the practitioner operation). */
export const SHARED_WITH_PRACTITIONER = 20;
