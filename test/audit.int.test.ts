import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAccounts } from '../sandbox/sso/accounts.ts';
import { grant, MY_CONSENTS, sharedWith } from './helpers/sharing.ts';
import { CHARTS_QUERY, postGraphQL, startTestStack, type TestStack } from './helpers/stack.ts';

/** The access log, durability of consents, grants that expire, and no disclosure without a log entry. */
const account = (u: string) => demoAccounts.find((a) => a.username === u)!;
const ACCESS_LOG = `{ me { accessLog { action recorded outcome outcomeDesc purposeOfEvent { coding { code } }
  agent { who { reference } client requestor } entity { what { reference } hospital { id } resourceTypes } } } }`;

interface AuditEvent {
  outcome: string;
  outcomeDesc: string | null;
  purposeOfEvent: { coding: { code: string }[] }[];
  agent: { who: { reference: string }; client: string | null }[];
  entity: { what: { reference: string }; hospital: { id: string } | null; resourceTypes: string[] }[];
}

describe('the access log', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  it('records every disclosure and refusal, and shows the person who looked', async () => {
    const [alice, chen, lin] = [await stack.token('alice'), await stack.token('drchen'), await stack.token('drlin')];
    await grant(stack, alice, { actor: account('drchen').fhirUser, resourceTypes: ['Observation'], hospitals: ['brightwater'] });
    await sharedWith(stack, chen);
    await stack.gql('query($id: ID!) { person(id: $id) { id } }', lin, { id: account('alice').sub });

    const res = await stack.gql(ACCESS_LOG, alice);
    const log = (res.body.data as { me: { accessLog: AuditEvent[] } }).me.accessLog;
    const byChen = log.filter((e) => e.agent[0]!.who.reference === account('drchen').fhirUser);
    // One disclosure; the fields his query asked beyond the consent (Patient, Condition) were refused.
    expect(byChen.filter((e) => e.outcome === '4').map((e) => e.entity[0]!.resourceTypes[0]).sort()).toEqual(['Condition', 'Patient']);
    expect(byChen.filter((e) => e.outcome === '0')).toHaveLength(1);
    expect(byChen.find((e) => e.outcome === '0')).toMatchObject({
      outcome: '0',
      purposeOfEvent: [{ coding: [{ code: 'TREAT' }] }],
      agent: [{ client: 'portal' }],
      entity: [{ what: { reference: `Person/${account('alice').sub}` }, hospital: { id: 'brightwater' }, resourceTypes: ['Observation'] }],
    });
    const byLin = log.filter((e) => e.agent[0]!.who.reference === account('drlin').fhirUser);
    expect(byLin).toMatchObject([{ outcome: '4', outcomeDesc: 'No active consent' }]);
    // The log is hers alone.
    const bobLog = (await stack.gql(ACCESS_LOG, await stack.token('bob'))).body.data as { me: { accessLog: AuditEvent[] } };
    expect(JSON.stringify(bobLog)).not.toContain(account('alice').sub);
  });

  it('records the fields a hospital refused, with the reason', async () => {
    const [alice, chen] = [await stack.token('alice'), await stack.token('drchen')];
    // drchen may read Observations at Brightwater (previous test); he asks for Conditions too.
    await stack.gql('{ sharedWithMe { charts { conditions { id } } } }', chen);
    const narrow = await stack.token('alice', 'openid fhirUser patient/Observation.rs');
    await stack.gql('{ me { charts { conditions { id } } } }', narrow);
    const log = ((await stack.gql(ACCESS_LOG, alice)).body.data as { me: { accessLog: AuditEvent[] } }).me.accessLog;
    const refusals = log.filter((e) => e.outcome === '4' && e.entity[0]!.resourceTypes[0] === 'Condition');
    expect(refusals).toContainEqual(expect.objectContaining({
      outcomeDesc: "Not covered by the person's consent",
      agent: [expect.objectContaining({ who: { reference: account('drchen').fhirUser } })],
      entity: [expect.objectContaining({ hospital: { id: 'brightwater' }, resourceTypes: ['Condition'] })],
    }));
    const byScope = refusals.filter((e) => e.outcomeDesc === "Not allowed by the caller's token scopes");
    expect(byScope.map((e) => e.entity[0]!.hospital!.id).sort()).toEqual(['aurelia', 'brightwater', 'cedarvale']);
  });

  it('accepts refusals only for charts granted to the very caller', async () => {
    const [alice, bob] = [await stack.token('alice'), await stack.token('bob')];
    const res = await postGraphQL(stack.consentUrl, '{ me { charts { ... on AureliaChart { grant } } } }', alice);
    const grant = (res.body.data as { me: { charts: { grant?: string }[] } }).me.charts.find((c) => c.grant)!.grant!;
    const post = (token: string) =>
      fetch(stack.consentUrl.replace(/\/graphql$/, '/audit/refusals'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ refusals: [{ grant, resourceType: 'Observation', reason: 'scope' }] }),
      });
    expect((await post(bob)).status).toBe(400);
    expect((await fetch(stack.consentUrl.replace(/\/graphql$/, '/audit/refusals'), { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await post(alice)).status).toBe(204);
  });

  it('logs a person reading their own records as patient access', async () => {
    const alice = await stack.token('alice');
    await stack.gql(CHARTS_QUERY, alice);
    const log = ((await stack.gql(ACCESS_LOG, alice)).body.data as { me: { accessLog: AuditEvent[] } }).me.accessLog;
    const own = log.filter((e) => e.agent[0]!.who.reference === account('alice').fhirUser && e.outcome === '0');
    expect(new Set(own.map((e) => e.entity[0]!.hospital!.id))).toEqual(new Set(['aurelia', 'brightwater', 'cedarvale']));
    expect(own.every((e) => e.purposeOfEvent[0]!.coding[0]!.code === 'PATRQT')).toBe(true);
  });
});

describe('consents and the log', () => {
  it('survive a restart of the stack', async () => {
    let stack = await startTestStack();
    const { dataDir } = stack;
    const id = await grant(stack, await stack.token('alice'), { actor: account('drchen').fhirUser, resourceTypes: ['Condition'], hospitals: ['aurelia'] });
    await stack.stop({ keepData: true });
    stack = await startTestStack({}, { dataDir });
    try {
      const mine = await stack.gql(MY_CONSENTS, await stack.token('alice'));
      expect((mine.body.data as { me: { consents: { id: string; status: string }[] } }).me.consents).toMatchObject([{ id, status: 'ACTIVE' }]);
      const people = await sharedWith(stack, await stack.token('drchen'));
      expect(people.map((p) => p.id)).toEqual([account('alice').sub]);
    } finally {
      await stack.stop();
    }
  });
});

describe('a grant', () => {
  it('expires: replayed to a hospital subgraph after its lifetime, it gets nothing', async () => {
    const stack = await startTestStack({ GRANT_LIFETIME_SEC: '1' });
    try {
      const alice = await stack.token('alice');
      const res = await postGraphQL(stack.consentUrl, '{ me { charts { __typename ... on AureliaChart { grant } } } }', alice);
      const jws = (res.body.data as { me: { charts: { __typename: string; grant?: string }[] } }).me.charts.find((c) => c.grant)!.grant!;
      const entity = (token: string) =>
        postGraphQL(stack.subgraphUrls['hospital_aurelia']!, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on AureliaChart { patient { id } } } }', token, { r: [{ __typename: 'AureliaChart', grant: jws }] });
      expect((await entity(alice)).body.errors).toBeUndefined();
      // Lifetime 1 s plus the verifier's 2 s of allowed skew.
      await new Promise((r) => setTimeout(r, 3_500));
      const late = await entity(alice);
      expect(late.body.data).toEqual({ _entities: [null] });
      expect(late.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    } finally {
      await stack.stop();
    }
  });
});

describe('with PostgreSQL, when the access log cannot be written', () => {
  const admin = 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = `graph_audit_${process.pid}_${Date.now()}`;
  let stack: TestStack;
  beforeAll(async () => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`CREATE DATABASE ${database}`);
    await c.end();
    stack = await startTestStack({ DATABASE_URL: admin.replace(/\/postgres$/, `/${database}`) });
  });
  afterAll(async () => {
    await stack?.stop();
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await c.end();
  });

  it('serves the stack from PostgreSQL', async () => {
    const res = await stack.gql(CHARTS_QUERY, await stack.token('alice'));
    expect((res.body.data as { me: { charts: unknown[] } }).me.charts).toHaveLength(3);
  });

  it('discloses nothing: no audit record, no data', async () => {
    const alice = await stack.token('alice');
    const c = new pg.Client({ connectionString: admin.replace(/\/postgres$/, `/${database}`) });
    await c.connect();
    try {
      // Make every audit write fail, as a full disk or a broken table would.
      await c.query(`ALTER TABLE audit_event ADD CONSTRAINT audit_down CHECK (false) NOT VALID`);
      stack.fhirRequests.length = 0;
      const res = await stack.gql(CHARTS_QUERY, alice);
      expect(res.body.data).toEqual({ me: null });
      expect(res.body.errors?.[0]?.extensions?.['code']).toBe('INTERNAL_SERVER_ERROR');
      expect(JSON.stringify(res.body)).not.toMatch(/Quill|audit|constraint|violat/i);
      expect(stack.fhirRequests).toEqual([]);
    } finally {
      await c.query('ALTER TABLE audit_event DROP CONSTRAINT IF EXISTS audit_down');
      await c.end();
    }
    const again = await stack.gql(CHARTS_QUERY, alice);
    expect((again.body.data as { me: { charts: unknown[] } }).me.charts).toHaveLength(3);
  });
});
