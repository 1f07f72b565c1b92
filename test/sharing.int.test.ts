import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAccounts } from '../sandbox/sso/accounts.ts';
import { GRANT, grant, MY_CONSENTS, REVOKE, sharedWith, UPDATE } from './helpers/sharing.ts';
import { startTestStack, type TestStack } from './helpers/stack.ts';

/** Patient-controlled sharing: practitioners see exactly what a person granted, until revoked. */
let stack: TestStack;
const tokens: Record<string, string> = {};
const account = (u: string) => demoAccounts.find((a) => a.username === u)!;

beforeAll(async () => {
  stack = await startTestStack();
  for (const u of ['alice', 'bob', 'drchen', 'drlin']) tokens[u] = await stack.token(u);
});
afterAll(() => stack?.stop());

describe('a practitioner', () => {
  it('sees nobody before anyone shares', async () => {
    expect(await sharedWith(stack, tokens['drchen']!)).toEqual([]);
  });

  it('sees only the granted hospital and types once a person shares with them', async () => {
    const id = await grant(stack, tokens['alice']!, { actor: account('drchen').fhirUser, resourceTypes: ['Patient', 'Observation'], hospitals: ['brightwater'] });
    const res = await stack.gql('{ sharedWithMe { id charts { hospital { id } patient { name { family } } observations(first: 3) { status } conditions { id } } } }', tokens['drchen']);
    const people = (res.body.data as { sharedWithMe: { id: string; charts: { hospital: { id: string }; patient: unknown; observations: unknown[]; conditions: unknown }[] }[] }).sharedWithMe;
    expect(people).toHaveLength(1);
    expect(people[0]!.id).toBe(account('alice').sub);
    expect(people[0]!.charts.map((c) => c.hospital.id)).toEqual(['brightwater']);
    expect(people[0]!.charts[0]!.patient).toEqual({ name: [{ family: 'Quill' }] });
    expect(people[0]!.charts[0]!.observations).toHaveLength(3);
    // Conditions were not shared: null, refused by the consent layer.
    expect(people[0]!.charts[0]!.conditions).toBeNull();
    expect(res.body.errors?.map((e) => [e.path, e.extensions?.['code']])).toEqual([[['sharedWithMe', 0, 'charts', 0, 'conditions'], 'FORBIDDEN']]);
    // Another practitioner of another organization sees nothing.
    expect(await sharedWith(stack, tokens['drlin']!)).toEqual([]);
    await stack.gql(REVOKE, tokens['alice'], { id });
  });

  it('is reached through their organization, too', async () => {
    const id = await grant(stack, tokens['bob']!, { actor: account('drlin').organization, resourceTypes: ['Condition'], hospitals: ['cedarvale'] });
    const people = await sharedWith(stack, tokens['drlin']!);
    expect(people.map((p) => p.id)).toEqual([account('bob').sub]);
    expect(people[0]!.charts.map((c) => c.hospital.id)).toEqual(['cedarvale']);
    expect(people[0]!.charts[0]!.conditions!.length).toBeGreaterThan(0);
    expect(people[0]!.charts[0]!.patient).toBeNull();
    await stack.gql(REVOKE, tokens['bob'], { id });
    expect(await sharedWith(stack, tokens['drlin']!)).toEqual([]);
  });

  it('sees only records dated inside the consent period', async () => {
    const id = await grant(stack, tokens['alice']!, { actor: account('drchen').fhirUser, resourceTypes: ['Observation'], hospitals: ['aurelia', 'brightwater', 'cedarvale'], periodStart: '2023-01-01', periodEnd: '2024-12-31' });
    const [person] = await sharedWith(stack, tokens['drchen']!);
    const dates = person!.charts.flatMap((c) => c.observations ?? []).map((o) => o.effectiveDateTime.slice(0, 10));
    expect(dates.length).toBeGreaterThan(0);
    expect(dates.every((d) => d >= '2023-01-01' && d <= '2024-12-31')).toBe(true);
    // Alice herself sees records outside that period.
    const own = await stack.gql('{ me { charts { observations(first: 100) { effectiveDateTime } } } }', tokens['alice']);
    const all = (own.body.data as { me: { charts: { observations: { effectiveDateTime: string }[] }[] } }).me.charts.flatMap((c) => c.observations);
    expect(all.some((o) => o.effectiveDateTime < '2023-01-01' || o.effectiveDateTime > '2025')).toBe(true);
    await stack.gql(REVOKE, tokens['alice'], { id });
  });

  it('needs user/ read scopes for each type, whatever was shared', async () => {
    const id = await grant(stack, tokens['alice']!, { actor: account('drchen').fhirUser, resourceTypes: ['Observation', 'Condition'], hospitals: ['brightwater'] });
    const narrow = await stack.token('drchen', 'openid fhirUser user/Observation.rs');
    const [person] = await sharedWith(stack, narrow);
    expect(person!.charts[0]!.observations!.length).toBeGreaterThan(0);
    expect(person!.charts[0]!.conditions).toBeNull();
    const none = await stack.token('drchen', 'openid fhirUser');
    const [unscoped] = await sharedWith(stack, none);
    expect(unscoped!.charts).toEqual([]);
    await stack.gql(REVOKE, tokens['alice'], { id });
  });

  it('loses access on the next request after the person revokes', async () => {
    const id = await grant(stack, tokens['alice']!, { actor: account('drchen').fhirUser, resourceTypes: ['Observation'], hospitals: ['cedarvale'] });
    expect(await sharedWith(stack, tokens['drchen']!)).toHaveLength(1);
    const revoked = await stack.gql(REVOKE, tokens['alice'], { id });
    expect(revoked.body.data).toEqual({ revokeConsent: { id, status: 'INACTIVE' } });
    expect(await sharedWith(stack, tokens['drchen']!)).toEqual([]);
    const one = await stack.gql('query($id: ID!) { person(id: $id) { id charts { hospital { id } } } }', tokens['drchen'], { id: account('alice').sub });
    expect(one.body.data).toEqual({ person: null });
  });

  it('sees a change of terms on the next request', async () => {
    const id = await grant(stack, tokens['alice']!, { actor: account('drchen').fhirUser, resourceTypes: ['Observation'], hospitals: ['aurelia'] });
    const before = await sharedWith(stack, tokens['drchen']!);
    expect(before[0]!.charts.map((c) => c.hospital.id)).toEqual(['aurelia']);
    const res = await stack.gql(UPDATE, tokens['alice'], { id, input: { actor: account('drchen').fhirUser, resourceTypes: ['Condition'], hospitals: ['cedarvale'] } });
    expect(res.body.errors).toBeUndefined();
    const after = await sharedWith(stack, tokens['drchen']!);
    expect(after[0]!.charts.map((c) => c.hospital.id)).toEqual(['cedarvale']);
    expect(after[0]!.charts[0]!.observations).toBeNull();
    expect(after[0]!.charts[0]!.conditions!.length).toBeGreaterThan(0);
    await stack.gql(REVOKE, tokens['alice'], { id });
  });

  it('reads the patients of several shared charts at one hospital with one FHIR search, the first time too', async () => {
    const ids = [
      await grant(stack, tokens['alice']!, { actor: account('drchen').fhirUser, resourceTypes: ['Patient'], hospitals: ['cedarvale'] }),
      await grant(stack, tokens['bob']!, { actor: account('drchen').fhirUser, resourceTypes: ['Patient'], hospitals: ['cedarvale'] }),
    ];
    // A fresh token: no grant of this caller has been signed or checked before.
    const token = await stack.token('drchen');
    stack.fhirRequests.length = 0;
    const res = await stack.gql('{ sharedWithMe { charts { hospital { id } patient { gender } } } }', token);
    expect(res.body.errors).toBeUndefined();
    expect((res.body.data as { sharedWithMe: unknown[] }).sharedWithMe).toHaveLength(2);
    expect(stack.fhirRequests.map((r) => `${r.hospital} ${new URL(r.url).pathname.split('/').pop()}`)).toEqual(['cedarvale Patient']);
    for (const id of ids) await stack.gql(REVOKE, tokens[id === ids[0] ? 'alice' : 'bob'], { id });
  });

  it('cannot reach a person who did not share by guessing their id: same answer as for nobody', async () => {
    const q = 'query($id: ID!) { person(id: $id) { id charts { hospital { id } } } }';
    const real = await stack.gql(q, tokens['drlin'], { id: account('alice').sub });
    const fake = await stack.gql(q, tokens['drlin'], { id: '00000000-0000-4000-8000-000000000000' });
    expect(real.body).toEqual({ data: { person: null } });
    expect(fake.body).toEqual(real.body);
  });
});

describe('a patient', () => {
  it('cannot use the practitioner queries, nor reach anyone else', async () => {
    const res = await stack.gql('query($id: ID!) { person(id: $id) { id } sharedWithMe { id } }', tokens['bob'], { id: account('alice').sub });
    expect(res.body.data).toBeNull();
    expect(res.body.errors?.every((e) => e.extensions?.['code'] === 'UNAUTHORIZED_FIELD_OR_TYPE')).toBe(true);
  });

  it("cannot see or change another person's consent: the same NOT_FOUND as for none", async () => {
    const id = await grant(stack, tokens['alice']!, { actor: account('drchen').fhirUser, resourceTypes: ['Observation'], hospitals: ['aurelia'] });
    const input = { actor: account('drlin').fhirUser, resourceTypes: ['Observation', 'Condition'], hospitals: ['aurelia', 'brightwater'] };
    for (const [op, vars] of [[REVOKE, { id }], [UPDATE, { id, input }]] as const) {
      const theirs = await stack.gql(op, tokens['bob'], vars);
      const nobodys = await stack.gql(op, tokens['bob'], { ...vars, id: '00000000-0000-4000-8000-000000000000' });
      expect(theirs.body.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
      expect(nobodys.body).toEqual(theirs.body);
    }
    const mine = await stack.gql(MY_CONSENTS, tokens['alice']);
    const consent = (mine.body.data as { me: { consents: { id: string; status: string; provision: { class: string[] } }[] } }).me.consents.find((c) => c.id === id);
    expect(consent).toMatchObject({ status: 'ACTIVE', provision: { class: ['Observation'] } });
    expect(JSON.stringify((await stack.gql(MY_CONSENTS, tokens['bob'])).body)).not.toContain(id);
    await stack.gql(REVOKE, tokens['alice'], { id });
  });

  it('gets a clear, stable error for bad input, and nothing changes', async () => {
    const before = (await stack.gql(MY_CONSENTS, tokens['alice'])).body;
    const bad: [Record<string, unknown>, string][] = [
      [{ actor: account('drchen').fhirUser, resourceTypes: ['Observation'], hospitals: ['atlantis'] }, 'UNKNOWN_HOSPITAL'],
      [{ actor: account('drchen').fhirUser, resourceTypes: ['Starship'], hospitals: ['aurelia'] }, 'UNKNOWN_RESOURCE_TYPE'],
      [{ actor: account('drchen').fhirUser, resourceTypes: ['Observation'], hospitals: ['aurelia'], periodStart: '2025-01-01', periodEnd: '2024-01-01' }, 'PERIOD_ENDS_BEFORE_START'],
      [{ actor: account('alice').fhirUser, resourceTypes: ['Observation'], hospitals: ['aurelia'] }, 'SELF_GRANT'],
      [{ actor: 'Patient/123', resourceTypes: ['Observation'], hospitals: ['aurelia'] }, 'INVALID_ACTOR'],
    ];
    for (const [input, reason] of bad) {
      const res = await stack.gql(GRANT, tokens['alice'], { input });
      expect(res.status).toBe(200);
      expect(res.body.data).toBeNull();
      expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason });
      expect(JSON.stringify(res.body)).not.toMatch(/\bat \S+:\d+|stack/i);
    }
    expect((await stack.gql(MY_CONSENTS, tokens['alice'])).body).toEqual(before);
  });

  it('is the only kind of caller who can grant', async () => {
    const res = await stack.gql(GRANT, tokens['drchen'], { input: { actor: account('drlin').fhirUser, resourceTypes: ['Observation'], hospitals: ['aurelia'] } });
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
  });
});
