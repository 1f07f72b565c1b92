/**
 * The synthetic people behind the demo patient accounts. The sandbox hospitals
 * record them under their own local ids, linked only by the shared national id;
 * the sign-on server knows them as accounts. Invented, never real PHI.
 */
export interface DemoPerson {
  /** Account `sub` at the sign-on server and the portal Person id. */
  readonly id: string;
  readonly username: string;
  readonly nationalId: string;
  readonly family: string;
  readonly given: readonly string[];
  readonly gender: 'female' | 'male' | 'other';
  readonly birthDate: string;
}

export const demoPeople: readonly DemoPerson[] = Object.freeze([
  { id: 'a1c3e0f2-5b7d-4e61-9a0b-2c4d6e8f0a11', username: 'alice', nationalId: '900-11-2233', family: 'Quill', given: ['Alice', 'Maren'], gender: 'female', birthDate: '1984-03-12' },
  { id: 'b2d4f1a3-6c8e-4f72-8b1c-3d5e7f9a1b22', username: 'bob', nationalId: '900-44-5566', family: 'Fenwick', given: ['Robert'], gender: 'male', birthDate: '1959-11-02' },
]);

/** Registers the demo people as portal accounts (the embedded default; real deployments enrol at sign-up). */
export async function enrollDemoPeople(people: { enrollPerson(p: { id: string; subject: string; nationalId: string }): Promise<void> }): Promise<void> {
  for (const p of demoPeople) await people.enrollPerson({ id: p.id, subject: p.id, nationalId: p.nationalId });
}
