import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxFault } from '../sandbox/fhir/server.ts';
import { startTestStack, type TestStack } from './helpers/stack.ts';

/**
 * One hospital failing in each of the ways real servers fail: the others still answer,
 * the failing one's fields are null with a HOSPITAL_* error naming it and nothing else.
 */
let stack: TestStack;
let dir: string;
let alice: string;
const BREAKER_RESET_MS = 1_500;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'fhir-graph-faults-'));
  const config = JSON.parse(await readFile('config/hospitals.json', 'utf8')) as { hospitals: Record<string, unknown>[] };
  // Cedarvale: a 2 s budget and a breaker that trips after 4 failures and probes after 1.5 s.
  config.hospitals[2] = { ...config.hospitals[2], timeoutMs: 2_000, retries: 2, circuitBreaker: { failureThreshold: 4, resetTimeoutMs: BREAKER_RESET_MS } };
  await writeFile(path.join(dir, 'hospitals.json'), JSON.stringify(config));
  stack = await startTestStack({ HOSPITALS_CONFIG: path.join(dir, 'hospitals.json') });
  alice = await stack.token('alice');
  await stack.gql('{ me { charts { hospital { id } } } }', alice); // links found while all are up
});
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

const QUERY = '{ me { charts { hospital { id } patient { birthDate } observations(first: 3) { status } } } }';

async function withFault(fault: SandboxFault) {
  stack.sandboxes['cedarvale']!.setFault(fault);
  const started = Date.now();
  try {
    const res = await stack.gql(QUERY, alice);
    return { res, ms: Date.now() - started };
  } finally {
    stack.sandboxes['cedarvale']!.setFault('none');
  }
}

describe('a failing hospital', () => {
  it('retries a passing failure: two 500s, then the answer', async () => {
    const sandbox = stack.sandboxes['cedarvale']!;
    stack.fhirCalls.length = 0;
    sandbox.setFault('error', 2);
    const res = await stack.gql(QUERY, alice);
    sandbox.setFault('none');
    const charts = (res.body.data as { me: { charts: { observations: unknown[] | null }[] } }).me.charts;
    expect(charts[2]!.observations).toHaveLength(3);
    expect(res.body.errors).toBeUndefined();
    // The chart's searches travel in one batch call: it failed twice and was answered on the third try.
    expect(stack.fhirCalls.filter((r) => r.hospital === 'cedarvale').length).toBe(3);
  });

  it.each([
    ['stopped (connections dropped)', 'down', 'HOSPITAL_UNAVAILABLE'],
    ['returning HTTP 500', 'error', 'HOSPITAL_UNAVAILABLE'],
    ['returning JSON cut short', 'malformed', 'HOSPITAL_UNAVAILABLE'],
    ['returning a non-FHIR page', 'not-fhir', 'HOSPITAL_UNAVAILABLE'],
    ['answering after 30 s', 'slow', 'HOSPITAL_TIMEOUT'],
  ] as const)('%s does not take the others down', async (_name, fault, code) => {
    const { res, ms } = await withFault(fault);
    console.log(`cedarvale ${fault}: answered in ${ms} ms`);
    const charts = (res.body.data as { me: { charts: { hospital: { id: string }; patient: unknown; observations: unknown[] | null }[] } }).me.charts;
    expect(charts.map((c) => c.hospital.id)).toEqual(['aurelia', 'brightwater', 'cedarvale']);
    for (const c of charts.slice(0, 2)) {
      expect(c.patient).not.toBeNull();
      expect(c.observations).toHaveLength(3);
    }
    expect(charts[2]).toMatchObject({ patient: null, observations: null });
    expect(res.body.errors?.length).toBe(2);
    for (const e of res.body.errors ?? []) {
      expect(e.extensions).toMatchObject({ code, hospital: 'cedarvale' });
      expect(e.message).toMatch(/^Hospital cedarvale (is unavailable|did not answer in time)$/);
    }
    expect(JSON.stringify(res.body)).not.toMatch(/localhost|ECONN|socket|Unexpected|<html|500|fetch/i);
    // Within the hospital's 2 s budget (retries included), well under the gateway's own.
    expect(ms).toBeLessThan(fault === 'slow' ? 6_000 : 4_000);
    // Let the breaker close again before the next fault.
    await new Promise((r) => setTimeout(r, BREAKER_RESET_MS + 200));
    await stack.gql(QUERY, alice);
  });

  it('is not called while its circuit is open, and is probed again after the reset time', async () => {
    const sandbox = stack.sandboxes['cedarvale']!;
    sandbox.setFault('error');
    for (let i = 0; i < 3; i++) await stack.gql(QUERY, alice);
    stack.fhirRequests.length = 0;
    const started = Date.now();
    const open = await stack.gql(QUERY, alice);
    const fast = Date.now() - started;
    expect(open.body.errors?.every((e) => e.extensions?.['code'] === 'HOSPITAL_UNAVAILABLE')).toBe(true);
    expect(stack.fhirRequests.filter((r) => r.hospital === 'cedarvale')).toEqual([]);
    console.log(`circuit open: answered in ${fast} ms without calling cedarvale`);
    sandbox.setFault('none');
    await new Promise((r) => setTimeout(r, BREAKER_RESET_MS + 200));
    // Half-open: the next request's first call is the probe; once it succeeds the circuit closes.
    stack.fhirRequests.length = 0;
    await stack.gql(QUERY, alice);
    expect(stack.fhirRequests.filter((r) => r.hospital === 'cedarvale').length).toBeGreaterThan(0);
    const healed = await stack.gql(QUERY, alice);
    expect(healed.body.errors).toBeUndefined();
  });
});
