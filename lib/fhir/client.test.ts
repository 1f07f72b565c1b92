import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bundle, FhirResource } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxFhirHandler } from '../../sandbox/fhir/server.ts';
import { ResourceStore } from '../../sandbox/fhir/store.ts';
import { createFhirClient, FhirError } from './client.ts';

const records: FhirResource[] = [
  { resourceType: 'Patient', id: 'p1', gender: 'female' },
  { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'Heart rate' }, subject: { reference: 'Patient/p1' }, effectiveDateTime: '2026-01-02' },
  { resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/p1' }, code: { text: 'Asthma' } },
];

/**
 * The sandbox FHIR server; a server that answers every batch with `batchAnswer` (a
 * misbehaving one); and one that searches like the sandbox but answers every batch with
 * `batchReply` (without batch support, or failing some entries).
 */
let sandbox: Server;
let odd: Server;
let noBatch: Server;
let sandboxBase: string;
let oddBase: string;
let noBatchBase: string;
let batchAnswer: unknown;
let batchReply: { status: number; body: unknown } = { status: 405, body: {} };
const refusal = (status: number, code: string) => ({ status, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code }] } });
const posts: string[] = [];

async function start(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<[Server, string]> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return [server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`];
}

beforeAll(async () => {
  let origin = '';
  [sandbox, origin] = await start((req, res) => {
    if (req.method === 'POST') posts.push(req.url ?? '');
    handler(req, res);
  });
  const handler = sandboxFhirHandler({ store: new ResourceStore(records), basePath: '/fhir', origin, name: 'Test' });
  sandboxBase = `${origin}/fhir`;
  [odd, oddBase] = await start((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(batchAnswer));
  });
  let noBatchOrigin = '';
  [noBatch, noBatchOrigin] = await start((req, res) => {
    if (req.method !== 'POST') return searchOnly(req, res);
    req.resume();
    res.writeHead(batchReply.status, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(batchReply.body));
  });
  const searchOnly = sandboxFhirHandler({ store: new ResourceStore(records), basePath: '/fhir', origin: noBatchOrigin, name: 'No batch' });
  noBatchBase = `${noBatchOrigin}/fhir`;
});
afterAll(async () => {
  await new Promise<void>((r) => sandbox.close(() => r()));
  await new Promise<void>((r) => odd.close(() => r()));
  await new Promise<void>((r) => noBatch.close(() => r()));
});

const searches = [
  { resourceType: 'Patient', filters: [{ code: '_id', value: 'p1' }] },
  { resourceType: 'Observation', filters: [{ code: 'patient', value: 'Patient/p1' }] },
  { resourceType: 'Condition', filters: [{ code: 'patient', value: 'Patient/p1' }] },
];
const ids = (answer: Bundle | FhirError) => (answer instanceof FhirError ? answer : (answer.entry ?? []).map((e) => e.resource?.id));

describe('FHIR batch searches', () => {
  it('send several searches in one batch call and answer each in order', async () => {
    const calls: { url: string; searches: readonly string[] }[] = [];
    const client = createFhirClient({ baseUrl: sandboxBase, batch: true, onRequest: (url, s) => calls.push({ url, searches: s }) });
    posts.length = 0;
    const answers = await client.searchMany(searches);
    expect(answers.map(ids)).toEqual([['p1'], ['o1'], ['c1']]);
    expect(posts).toEqual(['/fhir/']);
    expect(calls).toEqual([{ url: `${sandboxBase}/`, searches: [`${sandboxBase}/Patient?_id=p1`, `${sandboxBase}/Observation?patient=Patient%2Fp1`, `${sandboxBase}/Condition?patient=Patient%2Fp1`] }]);
  });

  it('fail only the entry the server refused', async () => {
    const client = createFhirClient({ baseUrl: sandboxBase, batch: true });
    const answers = await client.searchMany([searches[0]!, { resourceType: 'Nonsense', filters: [] }, searches[2]!]);
    expect(ids(answers[0]!)).toEqual(['p1']);
    expect(answers[1]).toBeInstanceOf(FhirError);
    expect((answers[1] as FhirError).status).toBe(404);
    expect(ids(answers[2]!)).toEqual(['c1']);
  });

  it('without batch (the default), make one GET per search', async () => {
    const calls: string[] = [];
    const client = createFhirClient({ baseUrl: sandboxBase, onRequest: (url) => calls.push(url) });
    posts.length = 0;
    expect((await client.searchMany(searches)).map(ids)).toEqual([['p1'], ['o1'], ['c1']]);
    expect(posts).toEqual([]);
    expect(calls).toHaveLength(3);
  });

  it.each([
    ['a searchset instead of a batch-response', { resourceType: 'Bundle', type: 'searchset', entry: [] }],
    ['fewer entries than asked', { resourceType: 'Bundle', type: 'batch-response', entry: [{ response: { status: '200 OK' }, resource: { resourceType: 'Bundle', type: 'searchset' } }] }],
    ['no entries', { resourceType: 'Bundle', type: 'batch-response' }],
  ])('refuse a batch answered with %s, for every search in it', async (_name, answer) => {
    batchAnswer = answer;
    const client = createFhirClient({ baseUrl: oddBase, batch: true, retries: 0 });
    const err = await client.searchMany(searches).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirError);
    expect((err as FhirError).message).toBe('FHIR server answered a batch with something other than its batch-response');
  });

  it('refuse an entry that answers 200 with something other than a Bundle', async () => {
    batchAnswer = { resourceType: 'Bundle', type: 'batch-response', entry: searches.map(() => ({ response: { status: '200 OK' }, resource: { resourceType: 'Patient', id: 'p1' } })) };
    const client = createFhirClient({ baseUrl: oddBase, batch: true, retries: 0 });
    const answers = await client.searchMany(searches);
    for (const a of answers) expect(a).toBeInstanceOf(FhirError);
  });
});

describe('a server configured for batch that refuses it', () => {
  it.each([
    [405, 'not-supported'],
    [404, 'not-found'],
    [501, 'not-supported'],
    [400, 'not-supported'],
  ])('answering %i (%s): searches one GET at a time, and keeps doing so for a while', async (status, issueCode) => {
    batchReply = refusal(status, issueCode);
    const calls: string[] = [];
    const refused: number[] = [];
    const client = createFhirClient({ baseUrl: noBatchBase, batch: true, retries: 2, onRequest: (url) => calls.push(url), onBatchRefused: (s) => refused.push(s) });
    expect((await client.searchMany(searches)).map(ids)).toEqual([['p1'], ['o1'], ['c1']]);
    // One batch (not retried: the refusal is an answer, not a failure), then the three GETs.
    expect(calls.filter((u) => u === `${noBatchBase}/`)).toHaveLength(1);
    expect(calls).toHaveLength(4);
    expect(refused).toEqual([status]);
    calls.length = 0;
    expect((await client.searchMany(searches)).map(ids)).toEqual([['p1'], ['o1'], ['c1']]);
    expect(calls).toHaveLength(3);
    expect(calls).not.toContain(`${noBatchBase}/`);
    expect(refused).toEqual([status]);
  });

  it('offers a batch again once the retry time has passed', async () => {
    batchReply = refusal(405, 'not-supported');
    const calls: string[] = [];
    const client = createFhirClient({ baseUrl: noBatchBase, batch: true, batchRetryMs: 50, onRequest: (url) => calls.push(url) });
    await client.searchMany(searches);
    await new Promise((r) => setTimeout(r, 80));
    calls.length = 0;
    expect((await client.searchMany(searches)).map(ids)).toEqual([['p1'], ['o1'], ['c1']]);
    expect(calls[0]).toBe(`${noBatchBase}/`);
  });

  it('does not take a 400 about something else for a refusal: the batch fails as before', async () => {
    batchReply = refusal(400, 'invalid');
    const refused: number[] = [];
    const client = createFhirClient({ baseUrl: noBatchBase, batch: true, onBatchRefused: (s) => refused.push(s) });
    const err = await client.searchMany(searches).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirError);
    expect((err as FhirError).status).toBe(400);
    expect(refused).toEqual([]);
  });
});

describe('a batch with entries the server failed for now', () => {
  it('asks again, one GET each, for the entries that answered 5xx or 429; the others are kept', async () => {
    const failed = (status: string) => ({ response: { status, outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient' }] } } });
    batchReply = { status: 200, body: { resourceType: 'Bundle', type: 'batch-response', entry: [failed('503'), { response: { status: '200 OK' }, resource: { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Observation', id: 'from-batch' } }] } }, failed('429 Too Many Requests')] } };
    const calls: string[] = [];
    const client = createFhirClient({ baseUrl: noBatchBase, batch: true, onRequest: (url) => calls.push(url) });
    expect((await client.searchMany(searches)).map(ids)).toEqual([['p1'], ['from-batch'], ['c1']]);
    expect(calls).toEqual([`${noBatchBase}/`, `${noBatchBase}/Patient?_id=p1`, `${noBatchBase}/Condition?patient=Patient%2Fp1`]);
  });

  it('keeps an entry the server answered with a 4xx or 501 as that field’s error, not asked again', async () => {
    batchReply = { status: 200, body: { resourceType: 'Bundle', type: 'batch-response', entry: ['404', '501', '403'].map((status) => ({ response: { status } })) } };
    const calls: string[] = [];
    const client = createFhirClient({ baseUrl: noBatchBase, batch: true, onRequest: (url) => calls.push(url) });
    const answers = await client.searchMany(searches);
    expect(answers.map((a) => (a as FhirError).status)).toEqual([404, 501, 403]);
    expect(calls).toHaveLength(1);
  });
});

describe('the sandbox FHIR server, batch', () => {
  const post = (body: string) => fetch(`${sandboxBase}/`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body });

  it('refuses a body that is not a batch Bundle with 400 and an OperationOutcome', async () => {
    for (const body of ['not json', JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [] })]) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
    }
  });

  it('answers a write inside a batch with 405 for that entry, the reads beside it still answered', async () => {
    const res = await post(JSON.stringify({ resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'DELETE', url: 'Patient/p1' } }, { request: { method: 'GET', url: 'Patient/p1' } }] }));
    const bundle = (await res.json()) as Bundle;
    expect(bundle.type).toBe('batch-response');
    expect(bundle.entry?.map((e) => e.response?.status)).toEqual(['405', '200 OK']);
    expect(bundle.entry?.[1]?.resource?.id).toBe('p1');
  });

  it('declares batch in its CapabilityStatement', async () => {
    const cs = (await (await fetch(`${sandboxBase}/metadata`)).json()) as { rest: { interaction?: { code: string }[] }[] };
    expect(cs.rest[0]?.interaction).toEqual([{ code: 'batch' }]);
  });
});
