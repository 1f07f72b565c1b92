import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAccounts } from '../sandbox/sso/accounts.ts';
import { grant } from './helpers/sharing.ts';
import { startTestStack, type TestStack } from './helpers/stack.ts';

/** Service (analytics) clients: only research participants, pseudonymous, field by field. */
let stack: TestStack;
let alice: string;
beforeAll(async () => {
  stack = await startTestStack();
  alice = await stack.token('alice');
});
afterAll(() => stack?.stop());

const COHORT = `{ researchCohort { pseudonym charts { hospital { id } patient { gender birthYear } observations(first: 5) { code { coding { code } } valueQuantity { value unit } } } } }`;

describe('an analytics client', () => {
  it('sees nobody until someone gives a research consent', async () => {
    const res = await stack.gql(COHORT, await stack.token('analytics'));
    expect(res.body).toEqual({ data: { researchCohort: [] } });
  });

  it('sees research participants under a pseudonym, with the fields it asks for', async () => {
    await grant(stack, alice, { scope: 'RESEARCH', resourceTypes: ['Patient', 'Observation'], hospitals: ['aurelia', 'brightwater'] });
    const res = await stack.gql(COHORT, await stack.token('analytics'));
    expect(res.body.errors).toBeUndefined();
    const [p] = (res.body.data as { researchCohort: { pseudonym: string; charts: { hospital: { id: string }; patient: { gender: string; birthYear: number }; observations: unknown[] }[] }[] }).researchCohort;
    expect(p!.pseudonym).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(p!.charts.map((c) => c.hospital.id)).toEqual(['aurelia', 'brightwater']);
    expect(p!.charts[0]!.patient).toEqual({ gender: 'female', birthYear: 1984 });
    expect(p!.charts[0]!.observations).toHaveLength(5);
    expect(JSON.stringify(res.body)).not.toMatch(/Quill|Alice|1984-03-12|900-11-2233/);
  });

  it('is refused every direct identifier, field by field, and the rest still comes', async () => {
    const res = await stack.gql(
      '{ researchCohort { id pseudonym charts { patient { id name { family } telecom { value } address { city } identifier { value } birthDate gender birthYear } } } }',
      await stack.token('analytics'),
    );
    const denied = (res.body.errors ?? []).map((e) => [e.path?.filter((p) => typeof p === 'string').join('.'), e.extensions?.['code']]);
    for (const field of ['researchCohort.id', 'researchCohort.charts.patient.id', 'researchCohort.charts.patient.name', 'researchCohort.charts.patient.telecom', 'researchCohort.charts.patient.address', 'researchCohort.charts.patient.identifier', 'researchCohort.charts.patient.birthDate']) {
      expect(denied, field).toContainEqual([field, 'UNAUTHORIZED_FIELD_OR_TYPE']);
    }
    const [p] = (res.body.data as { researchCohort: { id: null; pseudonym: string; charts: { patient: Record<string, unknown> }[] }[] }).researchCohort;
    expect(p!.id).toBeNull();
    expect(p!.charts[0]!.patient).toMatchObject({ id: null, name: null, telecom: null, address: null, identifier: null, birthDate: null, gender: 'female', birthYear: 1984 });
    expect(JSON.stringify(res.body)).not.toMatch(/Quill|Alice|1984-03-12|900-11-2233|555-/);
  });

  it('gets a pseudonym stable for itself and different for another client', async () => {
    const pseudonym = async (client: string) =>
      ((await stack.gql('{ researchCohort { pseudonym } }', await stack.token(client))).body.data as { researchCohort: { pseudonym: string }[] }).researchCohort[0]!.pseudonym;
    const a1 = await pseudonym('analytics');
    const a2 = await pseudonym('analytics');
    const r = await pseudonym('registry');
    expect(a1).toBe(a2);
    expect(r).not.toBe(a1);
    expect(a1).not.toContain(demoAccounts.find((a) => a.username === 'alice')!.sub);
  });

  it('sees no one whose consent is for sharing with a practitioner only', async () => {
    const bob = await stack.token('bob');
    await grant(stack, bob, { actor: 'Practitioner/pr-chen-0417', resourceTypes: ['Observation'], hospitals: ['cedarvale'] });
    const res = await stack.gql('{ researchCohort { pseudonym } }', await stack.token('analytics'));
    expect((res.body.data as { researchCohort: unknown[] }).researchCohort).toHaveLength(1);
  });

  it('needs system/ scopes: a service token without them reads no records', async () => {
    const token = await stack.token('analytics', 'system/Patient.rs');
    const res = await stack.gql('{ researchCohort { charts { patient { gender } observations(first: 1) { status } } } }', token);
    const [p] = (res.body.data as { researchCohort: { charts: { patient: unknown; observations: unknown }[] }[] }).researchCohort;
    expect(p!.charts.every((c) => c.observations === null && c.patient !== null)).toBe(true);
  });

  it('cannot use the patient or practitioner queries', async () => {
    const res = await stack.gql('{ me { id } sharedWithMe { id } }', await stack.token('analytics'));
    // sharedWithMe is a non-null list, so its refusal nulls the whole answer.
    expect(res.body.data).toBeNull();
    expect(res.body.errors?.map((e) => e.extensions?.['code'])).toEqual(['UNAUTHORIZED_FIELD_OR_TYPE', 'UNAUTHORIZED_FIELD_OR_TYPE']);
  });
});
