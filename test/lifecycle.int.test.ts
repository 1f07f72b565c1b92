import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './helpers/stack.ts';

/** What a load balancer and an operator see: health, readiness, and a shutdown that finishes what it started. */
describe('health and readiness', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  it('answers /healthz and /readyz on the gateway and every subgraph', async () => {
    const origins = [stack.gatewayUrl, ...Object.values(stack.subgraphUrls)].map((u) => new URL(u).origin);
    for (const origin of origins) {
      expect((await fetch(`${origin}/healthz`)).status, origin).toBe(200);
      const ready = await fetch(`${origin}/readyz`);
      expect(ready.status, origin).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready' });
    }
  });
});

describe('readiness tells the truth', () => {
  const admin = 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = `graph_ready_${process.pid}_${Date.now()}`;
  const sql = async (q: string) => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  };

  it('is not ready while the consent store cannot be reached, and ready again when it can', async () => {
    await sql(`CREATE DATABASE ${database}`);
    const stack = await startTestStack({ DATABASE_URL: admin.replace(/\/postgres$/, `/${database}`) });
    const readyz = async (url: string) => (await fetch(`${new URL(url).origin}/readyz`)).status;
    try {
      expect(await readyz(stack.gatewayUrl)).toBe(200);
      // The database refuses every connection, and the open ones are cut.
      await sql(`ALTER DATABASE ${database} WITH ALLOW_CONNECTIONS false`);
      await sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}'`);
      expect(await readyz(stack.consentUrl)).toBe(503);
      expect(await readyz(stack.gatewayUrl)).toBe(503);
      expect((await fetch(`${new URL(stack.gatewayUrl).origin}/healthz`)).status).toBe(200);
      await sql(`ALTER DATABASE ${database} WITH ALLOW_CONNECTIONS true`);
      expect(await readyz(stack.consentUrl)).toBe(200);
      expect(await readyz(stack.gatewayUrl)).toBe(200);
    } finally {
      await stack.stop();
      await sql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes requests in flight, then frees its ports', async () => {
    const stack = await startTestStack();
    const token = await stack.token('alice');
    await stack.gql('{ me { charts { hospital { id } } } }', token); // links found while all are up
    // A slow hospital keeps a request in flight for its whole budget (5 s).
    stack.sandboxes['cedarvale']!.setFault('slow');
    const inFlight = stack.gql('{ me { charts { hospital { id } observations(first: 1) { status } } } }', token);
    await new Promise((r) => setTimeout(r, 300));
    const closing = stack.stop();
    const res = await inFlight;
    expect(res.status).toBe(200);
    const charts = (res.body.data as { me: { charts: { hospital: { id: string }; observations: unknown[] | null }[] } }).me.charts;
    expect(charts.map((c) => c.hospital.id)).toEqual(['aurelia', 'brightwater', 'cedarvale']);
    expect(charts[0]!.observations).toHaveLength(1);
    await closing;
    await expect(fetch(`${new URL(stack.gatewayUrl).origin}/healthz`)).rejects.toThrow();
  });
});
